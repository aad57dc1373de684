/// Header fields in the order received; names are matched case-insensitively.
public struct HTTPHeaders: Sendable {
    private var storage: [(name: String, value: String)]

    public init() {
        storage = []
    }

    init(fields: [(name: String, value: String)]) {
        storage = fields
    }

    /// The first value of `name`, if present.
    public subscript(_ name: String) -> String? {
        for field in storage where ASCII.equalsIgnoringCase(field.name, name) {
            return field.value
        }
        return nil
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        storage.compactMap { ASCII.equalsIgnoringCase($0.name, name) ? $0.value : nil }
    }

    /// All fields in the order received.
    public var all: [(name: String, value: String)] {
        storage
    }
}
