/// What one step saw of the producers' clocks (for the metrics).
public struct ClockObservation: Sendable, Equatable {
    /// The estimated clock offsets (producer's clock minus the service's, seconds) of the step's
    /// valid books that carry `_pushed_at`, where one is estimated; several producers may differ.
    public var offsets: [Double]
    /// The age of every valid book of the step as judged (features.md §1), fresh or stale.
    public var ages: [Double]

    public init(offsets: [Double] = [], ages: [Double] = []) {
        self.offsets = offsets
        self.ages = ages
    }

    /// The median of `values` (`FeatureKernels.median`); nil when empty.
    public static func median(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : FeatureKernels.median(values)
    }
}
