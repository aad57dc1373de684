/// The assets the engine knows, each at a slot (an index into the per-asset caches and
/// histories), at most `capacity` of them.
///
/// When a step names an asset the registry has no room for, the least recently stepped asset
/// is forgotten and its slot reused: assets requested by that step and the configured
/// (pinned) ones never are. A forgotten asset loses its rolling state and retained bars; if it
/// comes back it starts afresh, as an asset never seen. Finding the asset to forget costs
/// O(1) amortised: every use is queued with the step's stamp, and queue entries that a later
/// use superseded are skipped.
struct AssetSlots: Sendable {
    let capacity: Int
    private(set) var slotByAsset: [String: Int] = [:]
    private(set) var names: [String] = []
    /// The slots in the order of their asset names (for `/bars`).
    private(set) var slotsByName: [Int] = []
    private var lastUse: [UInt64] = []
    private var pinned: [Bool] = []
    private var uses: [(slot: Int, stamp: UInt64)] = []
    private var usesHead = 0
    private var stamp: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { names.count }

    func slot(of asset: String) -> Int? { slotByAsset[asset] }

    /// The slots of `assets` for one step, registering new ones (forgetting the least recently
    /// stepped assets when full); `recycled` are reused slots whose state must be reset. An
    /// asset that fits nowhere (every slot pinned or used by this step) gets no slot (nil).
    mutating func slots(forStep assets: [String], pin: Bool = false) -> (slots: [Int?], recycled: [Int]) {
        stamp += 1
        // First mark every known asset of the step as used, so none of them can be forgotten
        // for a newcomer of the same step.
        for asset in assets {
            if let slot = slotByAsset[asset] { touch(slot, pin: pin) }
        }
        var recycled: [Int] = []
        let slots = assets.map { asset -> Int? in
            if let slot = slotByAsset[asset] { return slot }
            if names.count < capacity {
                let slot = names.count
                names.append(asset)
                lastUse.append(0)
                pinned.append(false)
                slotByAsset[asset] = slot
                insertByName(slot)
                touch(slot, pin: pin)
                return slot
            }
            guard let victim = leastRecentlyUsed() else { return nil }
            slotByAsset[names[victim]] = nil
            removeByName(victim)
            names[victim] = asset
            slotByAsset[asset] = victim
            insertByName(victim)
            touch(victim, pin: pin)
            recycled.append(victim)
            return victim
        }
        compactUses()
        return (slots, recycled)
    }

    private mutating func touch(_ slot: Int, pin: Bool) {
        lastUse[slot] = stamp
        if pin { pinned[slot] = true }
        uses.append((slot, stamp))
    }

    /// The slot used longest ago by an earlier step and not pinned.
    private mutating func leastRecentlyUsed() -> Int? {
        while usesHead < uses.count {
            let (slot, used) = uses[usesHead]
            usesHead += 1
            guard lastUse[slot] == used, used < stamp, !pinned[slot] else { continue }
            return slot
        }
        return nil
    }

    private mutating func compactUses() {
        if usesHead > 1024 && usesHead * 2 >= uses.count {
            uses.removeFirst(usesHead)
            usesHead = 0
        }
        // Superseded entries pile up when the same assets are stepped again and again: keep the
        // queue within a few entries per known asset.
        if uses.count - usesHead > 4 * max(names.count, 64) {
            uses = uses[usesHead...].filter { lastUse[$0.slot] == $0.stamp }
            usesHead = 0
        }
    }

    private mutating func insertByName(_ slot: Int) {
        let name = names[slot]
        var low = 0, high = slotsByName.count   // first position whose name sorts after `name`
        while low < high {
            let mid = (low + high) / 2
            if names[slotsByName[mid]] < name { low = mid + 1 } else { high = mid }
        }
        slotsByName.insert(slot, at: low)
    }

    /// Removes `slot` from the name order (call before renaming it).
    private mutating func removeByName(_ slot: Int) {
        let name = names[slot]
        var low = 0, high = slotsByName.count
        while low < high {
            let mid = (low + high) / 2
            if names[slotsByName[mid]] < name { low = mid + 1 } else { high = mid }
        }
        if low < slotsByName.count && slotsByName[low] == slot { slotsByName.remove(at: low) }
    }
}
