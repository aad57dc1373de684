/// Why a state file was not loaded or not written.
public enum StateFileError: Error, Equatable, CustomStringConvertible {
    case unreadable(String)
    case corrupt(String)
    case unsupportedVersion(Int)
    case unwritable(String)

    /// The state file's form of a document that could not be read.
    init(_ error: StateDocumentError) {
        switch error {
        case .corrupt(let why): self = .corrupt(why)
        case .unsupportedVersion(let version): self = .unsupportedVersion(version)
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let why): "state file unreadable: \(why)"
        case .corrupt(let why): "state file corrupt: \(why)"
        case .unsupportedVersion(let version):
            "state file has format version \(version); this build reads version \(EngineStateCodec.formatVersion)"
        case .unwritable(let why): "state file not written: \(why)"
        }
    }
}
