import Foundation
import SeededRandom

/// One asset's synthetic order book: its imbalance wanders around the asset's bias
/// (a mean-reverting walk) and its total depth drifts around a base size.
struct MockBook: Sendable {
    /// The paper-trading biases named in the service contract; others wander around 0.
    static let biases: [String: Double] = ["BTCUSDT": -0.086, "ETHUSDT": -0.092, "BNBUSDT": 0.05, "SOLUSDT": 0.05]
    static let baseDepths: [String: Double] = ["BTCUSDT": 3_000_000, "ETHUSDT": 1_500_000,
                                               "BNBUSDT": 600_000, "SOLUSDT": 800_000]
    static let bands = 5

    private var random: SplitMix64
    private let bias: Double
    private let baseDepth: Double
    private var imbalance: Double
    private var logDepth = 0.0

    init(asset: String, seed: UInt64) {
        random = SplitMix64(seed: seed ^ stableHash(asset))
        bias = Self.biases[asset] ?? 0
        baseDepth = Self.baseDepths[asset] ?? 400_000
        imbalance = bias
    }

    /// Advances the walk one observation and returns the book at `timestamp`.
    mutating func next(timestamp: Double) -> OrderBookSnapshotValues {
        imbalance = bias + 0.85 * (imbalance - bias) + 0.04 * random.gaussian()
        imbalance = min(0.9, max(-0.9, imbalance))
        logDepth = 0.97 * logDepth + 0.03 * random.gaussian()
        let depth = baseDepth * exp(logDepth)
        let bidTotal = depth * (1 + imbalance) / 2
        let askTotal = depth * (1 - imbalance) / 2
        return OrderBookSnapshotValues(timestamp: timestamp,
                                       bid: spread(bidTotal), ask: spread(askTotal))
    }

    /// Splits a side's total over the bands, nearest band heaviest, with some noise.
    private mutating func spread(_ total: Double) -> [Double] {
        var weights = [Double]()
        weights.reserveCapacity(Self.bands)
        var sum = 0.0
        for band in 0..<Self.bands {
            let weight = Double(Self.bands - band) * (0.7 + 0.6 * random.unit())
            weights.append(weight)
            sum += weight
        }
        return weights.map { ($0 / sum * total).rounded() }
    }
}

/// The numbers of one synthetic book, before they become a snapshot.
struct OrderBookSnapshotValues: Sendable {
    var timestamp: Double
    var bid: [Double]
    var ask: [Double]
}
