/// Capped exponential back-off with jitter between rounds of connection attempts.
struct ReconnectBackoff: Sendable {
    private let initial: Duration
    private let maximum: Duration
    private let multiplier: Double
    private let jitter: Double
    private var current: Duration

    init(initial: Duration, maximum: Duration, multiplier: Double, jitter: Double) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
        current = min(initial, maximum)
    }

    /// Starts over after a successful connection.
    mutating func reset() {
        current = min(initial, maximum)
    }

    /// The next pause (jittered) and grows the base for the one after.
    mutating func next() -> Duration {
        let base = current / .seconds(1)
        let varied = base * (1 + jitter * Double.random(in: -1...1))
        let grown = min(base * multiplier, maximum / .seconds(1))
        current = .milliseconds(Int64((grown * 1000).rounded()))
        return .milliseconds(Int64((max(0, varied) * 1000).rounded()))
    }
}
