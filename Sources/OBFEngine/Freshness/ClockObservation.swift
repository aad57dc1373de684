/// What one step saw of the producers' clocks (for the metrics).
public struct ClockObservation: Sendable, Equatable {
    /// The estimated clock offsets (producer's clock minus the service's, seconds) of the step's
    /// valid books that carry `_pushed_at`, where one is estimated; several producers may differ.
    public var offsets: [Double]

    public init(offsets: [Double] = []) {
        self.offsets = offsets
    }

    /// The median of `values` (`FeatureKernels.median`); nil when empty.
    public static func median(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : FeatureKernels.median(values)
    }
}
