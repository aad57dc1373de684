/// Maps a partition hash to a partition id.
package enum PartitionIndex {
    /// `abs(hash) % partitionCount`, and 0 for `Int32.min` (whose absolute value does not fit).
    package static func of(hash: Int32, partitionCount: Int) -> Int {
        guard partitionCount > 0, hash != Int32.min else { return 0 }
        return Int(hash.magnitude) % partitionCount
    }
}
