import FuzzSupport
import JSON
import OBFEngine

/// Any bytes through the snapshot decoder and validator: a valid result must satisfy the
/// validity rules; anything else must come back as a reason, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func snapshotFuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if case .success(let snapshot) = SnapshotDecoder.decode(bytes) {
        precondition(SnapshotDecoder.validate(snapshot) == nil, "decode accepted what validate refuses")
        precondition((1...50).contains(snapshot.bidNotional.count), "band count out of range")
    }
    _ = JSONValue.parse(bytes)
    _ = ISO8601Timestamp.parse(bytes)
    return 0
}

@main
struct SnapshotFuzzMain {
    static func main() { FuzzEntry.main(snapshotFuzzInput) }
}
