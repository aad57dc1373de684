/// The rendered body part of the newest features served for each asset slot, so that a
/// look-up served again (every `GET` of one bar, `/bars` of the scan's bar) copies bytes
/// instead of formatting nine numbers. Features are immutable once a step published them; the
/// cache is emptied whenever published bars can change meaning (a rollover, a restored or
/// taken-over state, a slot given to another asset), by a new `generation`.
struct RenderedFeatures: Sendable {
    private struct Entry: Sendable {
        var bar: Int64
        var generation: UInt64
        var bytes: [UInt8]
    }

    private var entries: [Entry?] = []
    private(set) var generation: UInt64 = 0

    /// The bytes rendered for `slot`'s features of `bar`, when they are current.
    func bytes(slot: Int, bar: Int64) -> [UInt8]? {
        guard slot < entries.count, let entry = entries[slot], entry.bar == bar, entry.generation == generation else {
            return nil
        }
        return entry.bytes
    }

    /// Keeps `bytes` for `slot`'s features of `bar`, rendered while the cache was at `generation`.
    mutating func keep(_ bytes: [UInt8], slot: Int, bar: Int64, renderedAt generation: UInt64) {
        guard generation == self.generation else { return }
        while entries.count <= slot { entries.append(nil) }
        entries[slot] = Entry(bar: bar, generation: generation, bytes: bytes)
    }

    /// Forgets everything rendered.
    mutating func invalidate() {
        generation &+= 1
    }
}

/// A look-up with the rendered form of its features when the store had it.
public struct RenderedLookup: Sendable {
    public var lookup: FeatureLookup
    /// The features' rendered bytes (only for `live` and `fallback` look-ups).
    public var rendered: [UInt8]?

    public init(lookup: FeatureLookup, rendered: [UInt8]?) {
        self.lookup = lookup
        self.rendered = rendered
    }
}

/// Turns an asset's features into the bytes a response embeds (the service's JSON form).
public typealias FeatureRenderer = @Sendable (AssetFeatures) -> [UInt8]
