/// How a `HazelcastTestMember` answers requests; can change while it runs.
public enum TestMemberMode: Sendable, Equatable {
    /// Answers like a member.
    case normal
    /// Accepts connections and reads requests but never answers.
    case silent
    /// Answers every request with bytes that are not a valid frame.
    case garbage
    /// Reads nothing and answers nothing, as a member whose process is stopped: once the
    /// socket buffers are full, the client's writes cannot complete.
    case hung
}
