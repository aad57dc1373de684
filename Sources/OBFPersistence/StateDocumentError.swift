/// Why a state document (the state file, or one of the replicated documents) could not be read:
/// what the shared reader reports, which each format's own error type carries.
public enum StateDocumentError: Error, Equatable, Sendable {
    case corrupt(String)
    case unsupportedVersion(Int)

    /// What is wrong, said of `document` (`state file`, `replicated state`), whose readers read
    /// format version `readable`.
    public func describe(_ document: String, readable: Int) -> String {
        switch self {
        case .corrupt(let why): "\(document) corrupt: \(why)"
        case .unsupportedVersion(let version):
            "\(document) has format version \(version); this build reads version \(readable)"
        }
    }
}
