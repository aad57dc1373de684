import JSON
import Locking
import OBFEngine

/// The rendered body part (`"placement":{…},"signal":{…}`) of the newest features served for
/// each asset slot, so that a look-up served again (every `GET` of one bar, `/bars` of the
/// scan's bar) copies bytes instead of formatting nine numbers. Published features never
/// change; what was rendered in an older store epoch (before a rollover, a restored or
/// taken-over state, a slot given to another asset) is never served.
final class RenderedFeatures: Sendable {
    private struct Entry {
        var bar: Int64
        var epoch: UInt64
        var bytes: [UInt8]
    }

    private let entries = Locked<[Entry?]>([])

    /// `found` with its features' bytes, rendered now unless kept from an earlier look-up.
    func rendered(_ found: SlotLookup) -> RenderedLookup {
        if let kept = entries.withLock({ Self.kept(found, in: $0) }) {
            return RenderedLookup(lookup: found.lookup, rendered: kept)
        }
        guard let slot = found.slot, let served = found.lookup.servedBar else {
            return RenderedLookup(lookup: found.lookup, rendered: nil)
        }
        let bytes = JSONWriter.featureMembers(found.lookup.features)
        entries.withLock { Self.keep(bytes, slot: slot, bar: served, epoch: found.epoch, in: &$0) }
        return RenderedLookup(lookup: found.lookup, rendered: bytes)
    }

    /// Every look-up of `found` with its features' bytes (one lock to find what is kept, one to
    /// keep what was rendered: a `/bars` of 500 assets takes two, not 500).
    func rendered(_ found: [SlotLookup]) -> [RenderedLookup] {
        var answers = entries.withLock { entries in
            found.map { item in RenderedLookup(lookup: item.lookup, rendered: Self.kept(item, in: entries)) }
        }
        var fresh: [(slot: Int, bar: Int64, epoch: UInt64, bytes: [UInt8])] = []
        for (index, item) in found.enumerated() where answers[index].rendered == nil {
            guard let slot = item.slot, let served = item.lookup.servedBar else { continue }
            let bytes = JSONWriter.featureMembers(item.lookup.features)
            answers[index].rendered = bytes
            fresh.append((slot, served, item.epoch, bytes))
        }
        guard !fresh.isEmpty else { return answers }
        entries.withLock { entries in
            for item in fresh { Self.keep(item.bytes, slot: item.slot, bar: item.bar, epoch: item.epoch, in: &entries) }
        }
        return answers
    }

    /// Keeps `bytes` for `slot`'s features of `bar`, unless a newer epoch's bytes are kept there.
    private static func keep(_ bytes: [UInt8], slot: Int, bar: Int64, epoch: UInt64, in entries: inout [Entry?]) {
        while entries.count <= slot { entries.append(nil) }
        if let entry = entries[slot], entry.epoch > epoch { return }
        entries[slot] = Entry(bar: bar, epoch: epoch, bytes: bytes)
    }

    private static func kept(_ found: SlotLookup, in entries: [Entry?]) -> [UInt8]? {
        guard let slot = found.slot, let served = found.lookup.servedBar, slot < entries.count,
              let entry = entries[slot], entry.bar == served, entry.epoch == found.epoch else { return nil }
        return entry.bytes
    }
}

/// A look-up with the rendered form of its features (only for `live` and `fallback` look-ups).
struct RenderedLookup: Sendable {
    var lookup: FeatureLookup
    var rendered: [UInt8]?
}
