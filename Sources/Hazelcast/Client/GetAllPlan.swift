/// The Map.GetAll requests for one key list, built once and reused while the map, the key list
/// and the partition count stay the same (the service reads the same assets every step): the
/// distinct keys grouped by partition, each partition's request already encoded, and a look-up
/// from a returned key to its positions in the list.
struct GetAllPlan: Sendable {
    /// One partition's share of the keys.
    struct Group: Sendable {
        let partition: Int
        /// The request, on the wire, with a zero correlation id.
        let request: [UInt8]
    }

    let map: String
    let keys: [HazelcastData]
    let partitionCount: Int
    /// Ascending partition id.
    let groups: [Group]
    /// Each distinct key's index among the distinct keys.
    private let distinctIndex: [HazelcastData: Int]
    /// For each distinct key, its positions in `keys` (more than one when a key is repeated).
    private let positions: [[Int]]

    init(map: String, keys: [HazelcastData], partitionCount: Int) {
        self.map = map
        self.keys = keys
        self.partitionCount = partitionCount
        var distinctIndex: [HazelcastData: Int] = [:]
        var positions: [[Int]] = []
        var byPartition: [Int: [HazelcastData]] = [:]
        for (position, key) in keys.enumerated() {
            if let index = distinctIndex[key] {
                positions[index].append(position)
                continue
            }
            distinctIndex[key] = positions.count
            positions.append([position])
            byPartition[key.partitionId(partitionCount: partitionCount), default: []].append(key)
        }
        self.distinctIndex = distinctIndex
        self.positions = positions
        groups = byPartition.sorted { $0.key < $1.key }.map { partition, keys in
            Group(partition: partition,
                  request: MapGetAllCodec.encodeRequest(name: map, keys: keys, partitionId: Int32(partition)).encoded())
        }
    }

    func matches(map: String, keys: [HazelcastData], partitionCount: Int) -> Bool {
        self.partitionCount == partitionCount && self.map == map && self.keys == keys
    }

    /// The positions of `key` in `keys`; empty for a key that was not asked for.
    func positions(of key: HazelcastData) -> [Int] {
        distinctIndex[key].map { positions[$0] } ?? []
    }
}
