/// Why a state file was not loaded or not written.
public enum StateFileError: Error, Equatable, CustomStringConvertible {
    case unreadable(String)
    /// Read, but not a state file this build can load.
    case invalid(StateDocumentError)
    case unwritable(String)

    public var description: String {
        switch self {
        case .unreadable(let why): "state file unreadable: \(why)"
        case .invalid(let problem): problem.describe("state file", readable: EngineStateCodec.formatVersion)
        case .unwritable(let why): "state file not written: \(why)"
        }
    }
}
