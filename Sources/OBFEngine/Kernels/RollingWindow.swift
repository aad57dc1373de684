/// A fixed-capacity window of the newest values, oldest first; appending to a
/// full window drops the oldest value. O(1) append, no reallocation.
public struct RollingWindow: RandomAccessCollection, Sendable, Equatable {
    public private(set) var capacity: Int
    private var storage: [Double]
    private var head = 0          // index in `storage` of the oldest value
    public private(set) var count = 0

    public init(capacity: Int) {
        self.capacity = Swift.max(1, capacity)
        storage = Array(repeating: 0, count: self.capacity)
    }

    /// A window holding `values` (the newest `capacity` of them).
    public init(capacity: Int, values: some Sequence<Double>) {
        self.init(capacity: capacity)
        for value in values { append(value) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> Double {
        let slot = head + position
        return storage[slot < capacity ? slot : slot - capacity]
    }

    public mutating func append(_ value: Double) {
        if count < capacity {
            let slot = head + count
            storage[slot < capacity ? slot : slot - capacity] = value
            count += 1
        } else {
            storage[head] = value
            head = head + 1 == capacity ? 0 : head + 1
        }
    }

    public static func == (lhs: RollingWindow, rhs: RollingWindow) -> Bool {
        lhs.capacity == rhs.capacity && lhs.elementsEqual(rhs)
    }
}
