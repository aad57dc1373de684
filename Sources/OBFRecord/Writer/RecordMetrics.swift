/// What the recorder reports as it works (the service turns these into Prometheus metrics).
public struct RecordMetrics: Sendable {
    /// Bytes appended to segments.
    public var written: @Sendable (Int) -> Void
    /// Answered steps that are not in the record.
    public var dropped: @Sendable (Int) -> Void
    /// Steps waiting for the writer.
    public var queueDepth: @Sendable (Int) -> Void

    public init(written: @escaping @Sendable (Int) -> Void = { _ in }, dropped: @escaping @Sendable (Int) -> Void = { _ in },
                queueDepth: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.written = written
        self.dropped = dropped
        self.queueDepth = queueDepth
    }
}
