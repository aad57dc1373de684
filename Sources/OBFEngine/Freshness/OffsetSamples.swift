/// The newest measurements of one producer's clock offset (its clock minus the service's, in
/// seconds), each `_pushed_at` minus the service's time of a push it saw arrive.
///
/// A measurement is the true offset minus the delivery delay (which only ever adds), so the
/// estimate is the largest of the newest `capacity`: the push delivered fastest. Keeping only
/// the newest few lets the estimate follow a producer whose clock is stepped.
struct OffsetSamples: Sendable, Equatable {
    static let capacity = 16

    private(set) var values: [Double] = []
    private var next = 0
    /// A saved estimate (state file, replica): used until the first measurement of its own.
    private var restored: Double?

    init() {}

    /// Takes a saved estimate, used while there is no measurement of its own (which is on this
    /// service's clock, when the saved one may come from another replica's host).
    mutating func restore(_ estimate: Double) {
        if estimate.isFinite { restored = estimate }
    }

    mutating func add(_ value: Double) {
        guard value.isFinite else { return }
        if values.count < Self.capacity {
            values.append(value)
        } else {
            values[next] = value
        }
        next = (next + 1) % Self.capacity
    }

    /// The offset estimate; nil before any measurement (and without a restored one).
    var estimate: Double? { values.max() ?? restored }
}
