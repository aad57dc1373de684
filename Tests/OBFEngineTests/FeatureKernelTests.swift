import Testing
@testable import OBFEngine

@Suite struct FeatureKernelTests {
    @Test func imbalanceOfEmptyBookIsZero() {
        #expect(FeatureKernels.imbalance(bidTotal: 0, askTotal: 0) == 0)
        #expect(FeatureKernels.imbalance(bidTotal: 3, askTotal: 1) == 0.5)
        #expect(FeatureKernels.imbalance(bidTotal: 0, askTotal: 5) == -1)
    }

    @Test func depthAsymmetryOfEmptyNearestBands() {
        #expect(FeatureKernels.depthAsymmetry(bidNearest: 0, askNearest: 0) == 0)
        #expect(FeatureKernels.depthAsymmetry(bidNearest: 0, askNearest: 40_000) == -1)
    }

    @Test func sideDistanceOfEmptySideIsOneHundredBps() {
        #expect(FeatureKernels.sideDistanceBps([0, 0, 0, 0, 0]) == 100)
        #expect(FeatureKernels.sideDistanceBps([]) == 100)
    }

    @Test func sideDistanceWalksPastEmptyBands() {
        // q = 15 000 is reached in band 2: (2 + 15 000 / 50 000) · 20 bps.
        #expect(abs(FeatureKernels.sideDistanceBps([0, 0, 50_000, 50_000, 50_000]) - 46) < 1e-12)
    }

    @Test func sideDistanceScalesWithBandCount() {
        // L = 1: one band covering 1 %, q = 10 % of it → 10 bps.
        #expect(abs(FeatureKernels.sideDistanceBps([1_000]) - 10) < 1e-12)
        // L = 10: 10 bps per band; 10 % of the notional fills band 0 exactly → (0 + 1) · 10 bps.
        #expect(abs(FeatureKernels.sideDistanceBps(Array(repeating: 10, count: 10)) - 10) < 1e-12)
        // L = 4, all notional in the last band: (3 + 1 / 10) · 25 bps.
        #expect(abs(FeatureKernels.sideDistanceBps([0, 0, 0, 100]) - 77.5) < 1e-12)
    }

    @Test func oneSidedBookHasFullDistanceOnTheEmptySide() {
        let spread = FeatureKernels.spreadProxyBps(bid: [100, 100, 100, 100, 100], ask: [0, 0, 0, 0, 0])
        #expect(abs(spread - (10 + 100)) < 1e-12)   // (0 + 50 / 100) · 20 bps on the bid side
    }

    @Test func depthQualityAndFillProbability() {
        #expect(FeatureKernels.depthQuality(depth: 5, reference: 0) == 0)
        #expect(FeatureKernels.depthQuality(depth: 5, reference: -1) == 0)
        #expect(FeatureKernels.fillProbability(depthQuality: 0) == 0)
        #expect(abs(FeatureKernels.fillProbability(depthQuality: 1) - 0.6321205588285577) < 1e-15)
    }

    @Test func referenceEMA() {
        #expect(FeatureKernels.updatedReference(nil, depth: 10, alpha: 0.01) == 10)
        #expect(abs(FeatureKernels.updatedReference(10, depth: 20, alpha: 0.01) - 10.1) < 1e-12)
    }

    @Test func withdrawalVelocityNeedsTwoObservationsAndPositiveBase() {
        #expect(FeatureKernels.withdrawalVelocity(lookback: 10, of: [Double]()) == 0)
        #expect(FeatureKernels.withdrawalVelocity(lookback: 10, of: [5.0]) == 0)
        #expect(FeatureKernels.withdrawalVelocity(lookback: 10, of: [0.0, 5.0]) == 0)
        #expect(FeatureKernels.withdrawalVelocity(lookback: 10, of: [10.0, 5.0]) == -0.5)
        // k = min(lookback, len − 1) = 2 over [4, 8, 6, 2]: (2 − 8) / (8 · 2).
        #expect(FeatureKernels.withdrawalVelocity(lookback: 2, of: [4.0, 8.0, 6.0, 2.0]) == -0.375)
    }

    @Test func persistenceAndMovingAverage() {
        let values: [Double] = [0.1, -0.2, 0, 0.3, 0.4, -0.1]
        #expect(FeatureKernels.persistence(lookback: 10, of: values) == Double(3 - 2) / 6)
        #expect(FeatureKernels.persistence(lookback: 3, of: values) == Double(2 - 1) / 3)
        #expect(abs(FeatureKernels.meanOfLast(5, of: values) - (-0.2 + 0 + 0.3 + 0.4 - 0.1) / 5) < 1e-15)
        #expect(FeatureKernels.meanOfLast(5, of: [Double]()) == 0)
    }

    @Test func medianAgreementAndRegime() {
        #expect(FeatureKernels.median([3, 1, 2]) == 2)
        #expect(FeatureKernels.median([4, 1, 3, 2]) == 2.5)
        #expect(FeatureKernels.agreementPct([0.1, -0.2, 0], median: 0) == 100.0 / 3)
        #expect(FeatureKernels.cascadeRegime(withdrawing: 0, of: 10) == .calm)
        #expect(FeatureKernels.cascadeRegime(withdrawing: 2, of: 10) == .stress)
        #expect(FeatureKernels.cascadeRegime(withdrawing: 4, of: 10) == .stress)
        #expect(FeatureKernels.cascadeRegime(withdrawing: 5, of: 10) == .cascade)
    }

    @Test func rollingWindowKeepsTheNewestValues() {
        var window = RollingWindow(capacity: 3)
        for value in 1...5 { window.append(Double(value)) }
        #expect(Array(window) == [3, 4, 5])
        #expect(window.count == 3)
    }

    @Test func barLogLooksUpWithoutLookAheadAndEvicts() {
        var log = BarLog<String>()
        log.append(bar: 2, "two")
        log.append(bar: 5, "five")
        log.append(bar: 9, "nine")
        #expect(log.newest(atOrBelow: 1) == nil)
        #expect(log.newest(atOrBelow: 5)?.value == "five")
        #expect(log.newest(atOrBelow: 8)?.bar == 5)
        #expect(log.newest(atOrBelow: 100)?.bar == 9)
        log.evict(through: 5)
        #expect(log.count == 1)
        #expect(log.newest(atOrBelow: 8) == nil)
        for bar in 10..<1_000 { log.append(bar: Int64(bar), "x"); log.evict(through: Int64(bar) - 3) }
        #expect(log.count == 3)
        #expect(log.oldestBar == 997)
    }
}
