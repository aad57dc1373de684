import Foundation

/// Kinds of map entry events, as a set of listener flags (the protocol's bit values).
public struct EntryEventFlags: OptionSet, Sendable, Hashable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let added = EntryEventFlags(rawValue: 1)
    public static let removed = EntryEventFlags(rawValue: 2)
    public static let updated = EntryEventFlags(rawValue: 4)
    public static let evicted = EntryEventFlags(rawValue: 8)
    public static let expired = EntryEventFlags(rawValue: 16)
    public static let evictAll = EntryEventFlags(rawValue: 32)
    public static let clearAll = EntryEventFlags(rawValue: 64)
    public static let merged = EntryEventFlags(rawValue: 128)
    /// What a view of the current entries needs: every change of a single entry.
    public static let entryChanges: EntryEventFlags = [.added, .removed, .updated, .evicted, .expired, .merged]
}

/// One change of a map entry, as a member reports it to an entry listener.
public struct EntryEvent: Sendable, Equatable {
    /// The event's kind (one flag).
    public var type: EntryEventFlags
    public var key: HazelcastData?
    /// The new value (nil for removals, or when the listener was registered without values).
    public var value: HazelcastData?
    public var oldValue: HazelcastData?
    public var mergingValue: HazelcastData?
    /// The member that sent the event.
    public var member: UUID?
    /// Entries affected (for map-wide events such as clear-all).
    public var affectedEntries: Int32
    /// The key's partition.
    public var partitionId: Int32

    public init(type: EntryEventFlags, key: HazelcastData?, value: HazelcastData?, oldValue: HazelcastData? = nil,
                mergingValue: HazelcastData? = nil, member: UUID? = nil, affectedEntries: Int32 = 1, partitionId: Int32 = -1) {
        self.type = type
        self.key = key
        self.value = value
        self.oldValue = oldValue
        self.mergingValue = mergingValue
        self.member = member
        self.affectedEntries = affectedEntries
        self.partitionId = partitionId
    }
}
