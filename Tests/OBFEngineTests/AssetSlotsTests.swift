@testable import OBFEngine
import Testing

/// The asset registry's bound and what it forgets first.
@Suite("Asset slots")
struct AssetSlotsTests {
    @Test func forgetsTheLeastRecentlySteppedButNeverPinnedOrCurrentAssets() {
        var slots = AssetSlots(capacity: 4)
        _ = slots.slots(forStep: ["CFG"], pin: true)
        _ = slots.slots(forStep: ["A", "B"])
        _ = slots.slots(forStep: ["C"])
        _ = slots.slots(forStep: ["A"])          // A used again: B is now the oldest
        let step = slots.slots(forStep: ["D", "C"])
        #expect(slots.count == 4)
        #expect(slots.slot(of: "B") == nil, "B was stepped longest ago")
        #expect(step.recycled.count == 1 && step.slots[0] == step.recycled[0])
        #expect(slots.slot(of: "CFG") != nil && slots.slot(of: "A") != nil && slots.slot(of: "C") != nil)
        // A step that needs more room than is free forgets older assets, never its own.
        let crowded = slots.slots(forStep: ["E", "F", "D"])
        #expect(crowded.slots.allSatisfy { $0 != nil })
        #expect(slots.slot(of: "CFG") != nil && slots.slot(of: "D") != nil)
        #expect(slots.slot(of: "A") == nil && slots.slot(of: "C") == nil)
        // With every slot pinned or in use, a newcomer gets none.
        let full = slots.slots(forStep: ["D", "E", "F", "G"])
        #expect(full.slots[3] == nil)
        #expect(slots.names.sorted() == ["CFG", "D", "E", "F"])
        #expect(slots.slotsByName.map { slots.names[$0] } == ["CFG", "D", "E", "F"])
    }

    @Test func staysBoundedUnderAManyNamesFlood() {
        var slots = AssetSlots(capacity: 2_004)
        _ = slots.slots(forStep: ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT"], pin: true)
        for step in 0..<300 {
            let names = (0..<2000).map { "N\(step)X\($0)" }
            let registered = slots.slots(forStep: names)
            #expect(registered.slots.allSatisfy { $0 != nil })
        }
        #expect(slots.count == 2_004)
        #expect(slots.slotsByName.count == 2_004)
        #expect(Set(slots.slotsByName).count == 2_004)
        for pinned in ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT"] { #expect(slots.slot(of: pinned) != nil) }
        #expect(slots.slot(of: "N299X0") != nil && slots.slot(of: "N298X0") == nil)
        // The name order stays sorted through the evictions.
        let ordered = slots.slotsByName.map { slots.names[$0] }
        #expect(ordered == ordered.sorted())
    }
}
