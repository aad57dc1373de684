/// Why a state document (the state file, or one of the replicated documents) could not be read:
/// what the shared reader reports, which each format turns into its own error type.
public enum StateDocumentError: Error, Equatable, Sendable {
    case corrupt(String)
    case unsupportedVersion(Int)
}
