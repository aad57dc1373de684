/// The rolling state the engine keeps per asset between steps.
public struct AssetHistory: Sendable, Equatable {
    /// The depth reference `ref`; `nil` until the first valid snapshot.
    public var reference: Double?
    public var imbalances: RollingWindow
    public var depths: RollingWindow

    public init(configuration: EngineConfiguration) {
        imbalances = RollingWindow(capacity: configuration.imbalanceLookback)
        depths = RollingWindow(capacity: configuration.depthLookback)
    }

    public init(reference: Double?, imbalances: RollingWindow, depths: RollingWindow) {
        self.reference = reference
        self.imbalances = imbalances
        self.depths = depths
    }
}

/// The rolling cross-asset state: the macro depth history and the last depth velocity.
public struct MacroHistory: Sendable, Equatable {
    public var meanReferences: RollingWindow
    public var lastDepthVelocity: Double?

    public init(configuration: EngineConfiguration) {
        meanReferences = RollingWindow(capacity: configuration.depthLookback)
    }

    public init(meanReferences: RollingWindow, lastDepthVelocity: Double?) {
        self.meanReferences = meanReferences
        self.lastDepthVelocity = lastDepthVelocity
    }
}
