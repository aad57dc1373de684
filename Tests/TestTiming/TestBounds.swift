/// The time bounds of the tests. None is a guess of how fast a machine is: each is a guard
/// against a hang, far above what any event takes on the slowest machine the suite runs on
/// (a sanitizer build capped at a fraction of one core), or derived from the bound the code
/// under test is configured with.
public enum TestBounds {
    /// The most a test waits for an event that must happen (a condition, a log line, a
    /// connection, a child process getting ready). A wait ends as soon as its event happens, so
    /// this costs nothing when the code works; only a broken run waits it out.
    public static let event: Duration = .seconds(120)

    /// A client-side timeout that the test does not check (a connect, a request): as long as a
    /// wait for an event, so that only a hang reaches it.
    public static let unchecked: Duration = event

    /// A timeout the code under test must never wait for, in tests that tell a prompt failure
    /// (or a cut at a short deadline) apart from it: `promptly` is half of it, so an operation
    /// that ended within `promptly` did not wait for `neverReached`, whatever the machine.
    public static let neverReached: Duration = .seconds(240)
    public static let promptly: Duration = neverReached / 2
}
