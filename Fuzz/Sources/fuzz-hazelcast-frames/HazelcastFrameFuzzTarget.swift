import FuzzSupport
import Hazelcast

/// Any bytes as a stream from a Hazelcast member: frames are reassembled into messages and
/// every message is offered to each response and event decoder the client uses. Garbage
/// must end in a thrown `HazelcastError`, never a trap or a runaway allocation.
@_cdecl("LLVMFuzzerTestOneInput")
public func hazelcastFrameFuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    var reader = MessageReader(maxFrameSize: 1 << 20, maxMessageSize: 4 << 20, maxOpenFragments: 8)
    let step = Int(data[0] % 32) + 1
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var offset = 0
    while offset < bytes.count {
        let end = min(bytes.count, offset + step)
        reader.append(bytes[offset..<end])
        offset = end
        do {
            while let message = try reader.nextMessage() {
                _ = try? ClientAuthenticationCodec.decodeResponse(message)
                _ = try? MapGetAllCodec.decodeResponse(message)
                _ = try? MapGetCodec.decodeResponse(message)
                _ = try? ErrorCodec.decode(message)
                _ = try? ClientAddClusterViewListenerCodec.decodeEvent(message)
                _ = try? ClientLocalBackupListenerCodec.decodeResponse(message)
                _ = try? MapAddEntryListenerCodec.decodeResponse(message)
                _ = try? MapAddEntryListenerCodec.decodeEvent(message)
                _ = try? MapRemoveEntryListenerCodec.decodeResponse(message)
            }
        } catch {
            return 0   // the connection would be dropped here
        }
    }
    return 0
}

@main
struct HazelcastFrameFuzzMain {
    static func main() { FuzzEntry.main(hazelcastFrameFuzzInput) }
}
