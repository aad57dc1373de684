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

    /// `lookup` with its features' bytes, rendered now unless kept from an earlier look-up.
    func rendered(_ found: SlotLookup) -> RenderedLookup {
        guard let slot = found.slot, let served = found.lookup.servedBar else {
            return RenderedLookup(lookup: found.lookup, rendered: nil)
        }
        let kept = entries.withLock { entries -> [UInt8]? in
            guard slot < entries.count, let entry = entries[slot], entry.bar == served, entry.epoch == found.epoch else {
                return nil
            }
            return entry.bytes
        }
        if let kept { return RenderedLookup(lookup: found.lookup, rendered: kept) }
        let bytes = JSONWriter.featureMembers(found.lookup.features)
        entries.withLock { entries in
            while entries.count <= slot { entries.append(nil) }
            // A newer epoch's bytes are never replaced by an older one's.
            if let entry = entries[slot], entry.epoch > found.epoch { return }
            entries[slot] = Entry(bar: served, epoch: found.epoch, bytes: bytes)
        }
        return RenderedLookup(lookup: found.lookup, rendered: bytes)
    }
}

/// A look-up with the rendered form of its features (only for `live` and `fallback` look-ups).
struct RenderedLookup: Sendable {
    var lookup: FeatureLookup
    var rendered: [UInt8]?
}
