/// Values keyed by strictly increasing bar numbers, oldest first.
/// Appending and evicting from the front cost O(1) amortised; a look-up is a binary search.
public struct BarLog<Value: Sendable>: Sendable {
    private var bars: [Int64] = []
    private var values: [Value] = []
    private var head = 0   // entries before `head` are evicted

    public init() {}

    public var count: Int { bars.count - head }
    public var isEmpty: Bool { count == 0 }
    public var oldestBar: Int64? { head < bars.count ? bars[head] : nil }
    public var newestBar: Int64? { head < bars.count ? bars[bars.count - 1] : nil }

    /// Appends `value` for `bar`, which must be above every bar held.
    public mutating func append(bar: Int64, _ value: Value) {
        bars.append(bar)
        values.append(value)
    }

    /// Drops every entry whose bar is `≤ bar`.
    public mutating func evict(through bar: Int64) {
        while head < bars.count && bars[head] <= bar { head += 1 }
        if head > 64 && head * 2 >= bars.count {
            bars.removeFirst(head)
            values.removeFirst(head)
            head = 0
        }
    }

    public mutating func removeAll() {
        bars.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        head = 0
    }

    /// The newest entry at or below `bar` (never one after it).
    public func newest(atOrBelow bar: Int64) -> (bar: Int64, value: Value)? {
        var low = head, high = bars.count   // first index with bars[index] > bar
        while low < high {
            let mid = (low + high) / 2
            if bars[mid] <= bar { low = mid + 1 } else { high = mid }
        }
        guard low > head else { return nil }
        return (bars[low - 1], values[low - 1])
    }

    /// The held entries, oldest first.
    public var entries: [(bar: Int64, value: Value)] {
        (head..<bars.count).map { (bars[$0], values[$0]) }
    }
}
