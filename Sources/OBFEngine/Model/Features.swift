/// Placement and signal features of one asset at one bar (features.md §2).
public struct AssetFeatures: Sendable, Equatable {
    // placement
    public var depth1pctUSD: Double
    public var depthQuality: Double
    public var fillProbability: Double
    public var spreadProxyBps: Double
    // signal
    public var imbalance: Double
    public var depthAsymmetry: Double
    public var imbalanceMA5: Double
    public var imbalancePersistence: Double
    public var withdrawalVelocity: Double

    public init(depth1pctUSD: Double, depthQuality: Double, fillProbability: Double, spreadProxyBps: Double,
                imbalance: Double, depthAsymmetry: Double, imbalanceMA5: Double,
                imbalancePersistence: Double, withdrawalVelocity: Double) {
        self.depth1pctUSD = depth1pctUSD
        self.depthQuality = depthQuality
        self.fillProbability = fillProbability
        self.spreadProxyBps = spreadProxyBps
        self.imbalance = imbalance
        self.depthAsymmetry = depthAsymmetry
        self.imbalanceMA5 = imbalanceMA5
        self.imbalancePersistence = imbalancePersistence
        self.withdrawalVelocity = withdrawalVelocity
    }

    /// The neutral values served when nothing is known (features.md §5).
    public static let neutral = AssetFeatures(
        depth1pctUSD: 0, depthQuality: 1, fillProbability: 0.5, spreadProxyBps: 0,
        imbalance: 0, depthAsymmetry: 0, imbalanceMA5: 0, imbalancePersistence: 0, withdrawalVelocity: 0)

    /// The nine features' names, in their one order: this type's, that of the `placement` and
    /// `signal` objects, the state file, the record's digest and the replay CSV (the feature
    /// table reorders it by these names).
    public static let columnNames = [
        "depth_1pct_usd", "depth_quality", "fill_probability", "spread_proxy_bps",
        "imbalance", "depth_asymmetry", "imbalance_ma5", "imbalance_persistence", "withdrawal_velocity",
    ]

    /// The values in the order of `columnNames`.
    public var columns: [Double] {
        [depth1pctUSD, depthQuality, fillProbability, spreadProxyBps,
         imbalance, depthAsymmetry, imbalanceMA5, imbalancePersistence, withdrawalVelocity]
    }

    /// The features of values in the order of `columnNames`; nil unless there are nine.
    public init?(columns n: [Double]) {
        guard n.count == Self.columnNames.count else { return nil }
        self.init(depth1pctUSD: n[0], depthQuality: n[1], fillProbability: n[2], spreadProxyBps: n[3],
                  imbalance: n[4], depthAsymmetry: n[5], imbalanceMA5: n[6], imbalancePersistence: n[7],
                  withdrawalVelocity: n[8])
    }
}

/// The market regime derived from the share of assets withdrawing liquidity.
public enum CascadeRegime: String, Sendable, Equatable {
    case calm = "CALM", stress = "STRESS", cascade = "CASCADE"
}

/// Cross-asset features of one bar (features.md §3).
public struct MacroFeatures: Sendable, Equatable {
    public var medianImbalance: Double
    public var agreementPct: Double
    public var depthPressure: Double
    public var withdrawingAssets: Int
    public var cascadeRegime: CascadeRegime
    public var depthVelocity: Double
    public var acceleration: Double

    public init(medianImbalance: Double, agreementPct: Double, depthPressure: Double, withdrawingAssets: Int,
                cascadeRegime: CascadeRegime, depthVelocity: Double, acceleration: Double) {
        self.medianImbalance = medianImbalance
        self.agreementPct = agreementPct
        self.depthPressure = depthPressure
        self.withdrawingAssets = withdrawingAssets
        self.cascadeRegime = cascadeRegime
        self.depthVelocity = depthVelocity
        self.acceleration = acceleration
    }

    /// The neutral values served when nothing is known.
    public static let neutral = MacroFeatures(
        medianImbalance: 0, agreementPct: 0, depthPressure: 0, withdrawingAssets: 0,
        cascadeRegime: .calm, depthVelocity: 0, acceleration: 0)
}

/// Where a looked-up value came from (features.md §5).
public enum LookupSource: String, Sendable, Equatable {
    case live, fallback, `default`
}
