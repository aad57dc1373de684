import OBFPersistence

/// Why a replicated document (the head, the rolling state or a bar) could not be read.
public enum ReplicatedStateError: Error, Equatable, CustomStringConvertible {
    case corrupt(String)
    case unsupportedVersion(Int)

    init(_ error: StateDocumentError) {
        switch error {
        case .corrupt(let why): self = .corrupt(why)
        case .unsupportedVersion(let version): self = .unsupportedVersion(version)
        }
    }

    public var description: String {
        switch self {
        case .corrupt(let why): "replicated state corrupt: \(why)"
        case .unsupportedVersion(let version):
            "replicated state has format version \(version); this build reads version \(ReplicatedStateCodec.formatVersion)"
        }
    }
}
