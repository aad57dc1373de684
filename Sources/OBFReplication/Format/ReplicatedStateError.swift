import OBFPersistence

/// Why a replicated document (the head, the rolling state or a bar) could not be read.
public struct ReplicatedStateError: Error, Equatable, CustomStringConvertible {
    public var problem: StateDocumentError

    public init(_ problem: StateDocumentError) {
        self.problem = problem
    }

    public var description: String {
        problem.describe("replicated state", readable: ReplicatedStateCodec.formatVersion)
    }
}
