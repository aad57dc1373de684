/// Values keyed by strictly increasing bar numbers, oldest first.
/// Appending and evicting from the front cost O(1) amortised; a look-up is a binary search.
public struct BarLog<Value: Sendable>: Sendable {
    private var bars: [Int64] = []
    private var values: [Value] = []
    private var head = 0   // entries before `head` are evicted

    public init() {}

    public var count: Int { bars.count - head }
    public var oldestBar: Int64? { head < bars.count ? bars[head] : nil }
    /// The bars held, oldest first.
    public var heldBars: ArraySlice<Int64> { bars[head...] }

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

}

extension BarLog where Value: Equatable {
    /// The entries held, oldest first, as the state file keeps them.
    public var entries: [BarEntry<Value>] {
        zip(heldBars, values[head...]).map { BarEntry(bar: $0, value: $1) }
    }
}
