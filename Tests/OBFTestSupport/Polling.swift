/// Polls `condition` until it holds or `timeout` passes; returns whether it held. It returns
/// as soon as the condition holds, so a generous timeout costs nothing on a quiet machine.
public func eventually(timeout: Duration = .seconds(20), every interval: Duration = .milliseconds(20),
                       _ condition: () async throws -> Bool) async throws -> Bool {
    let end = ContinuousClock.now + timeout
    while ContinuousClock.now < end {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return try await condition()
}
