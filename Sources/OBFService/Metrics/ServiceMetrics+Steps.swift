import OBFEngine

/// The metrics hear every new step the engine publishes.
extension ServiceMetrics: StepListener {
    public func stepPublished(_ step: PublishedStep) {
        record(step)
    }
}
