import Testing
import SeededRandom
import Hazelcast

@Suite("Stream framing and fragment reassembly")
struct MessageReaderTests {
    static let key = HazelcastData(string: "asset_BTCUSDT_ob")

    static func sampleMessage(correlationId: Int64 = 9) -> ClientMessage {
        var message = MapGetCodec.encodeRequest(MapKeyRequest(name: "DOLPHIN_FEATURES", key: key), partitionId: 256)
        message.setCorrelationId(correlationId)
        return message
    }

    @Test func readsMessagesFedOneByteAtATime() throws {
        let first = Self.sampleMessage(correlationId: 1)
        let second = Self.sampleMessage(correlationId: 2)
        var reader = MessageReader()
        var decoded: [ClientMessage] = []
        for byte in first.encoded() + second.encoded() {
            reader.append([byte])
            while let message = try reader.nextMessage() { decoded.append(message) }
        }
        #expect(decoded == [first, second])
        #expect(reader.bufferedByteCount == 0)
    }

    @Test func waitsForIncompleteFrames() throws {
        let bytes = Self.sampleMessage().encoded()
        var reader = MessageReader()
        reader.append(bytes.dropLast())
        #expect(try reader.nextMessage() == nil)
        reader.append(bytes.suffix(1))
        #expect(try reader.nextMessage() == Self.sampleMessage())
    }

    @Test func rejectsFrameShorterThanHeader() {
        var reader = MessageReader()
        reader.append([0x02, 0x00, 0x00, 0x00, 0xDE, 0xAD, 0xBE, 0xEF])
        #expect(throws: HazelcastError.self) { try reader.nextMessage() }
    }

    @Test func rejectsNegativeAndOversizedFrameLengths() {
        var negative = MessageReader()
        negative.append([0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xC0])
        #expect(throws: HazelcastError.self) { try negative.nextMessage() }
        var huge = MessageReader(maxFrameSize: 1024)
        huge.append([0x00, 0x10, 0x00, 0x00, 0x00, 0xE0])
        #expect(throws: HazelcastError.self) { try huge.nextMessage() }
    }

    @Test func rejectsInitialFrameWithoutHeader() {
        var reader = MessageReader()
        reader.append(Frame(flags: FrameFlags.unfragmented | FrameFlags.isFinal, content: [1, 2, 3]).encodedBytes)
        #expect(throws: HazelcastError.self) { try reader.nextMessage() }
    }

    /// Splits a message the way a member does: each fragment starts with a frame holding the
    /// fragmentation id and BEGIN_FRAGMENT / END_FRAGMENT / neither, and ends with IS_FINAL.
    static func fragments(of message: ClientMessage, id: Int64, framesPerFragment: Int) -> [[UInt8]] {
        let chunks = stride(from: 0, to: message.frames.count, by: framesPerFragment).map {
            Array(message.frames[$0..<min($0 + framesPerFragment, message.frames.count)])
        }
        var writer = ByteWriter()
        writer.writeInt64(id)
        return chunks.enumerated().map { index, chunk in
            var flags: UInt16 = 0
            if index == 0 { flags |= FrameFlags.beginFragment }
            if index == chunks.count - 1 { flags |= FrameFlags.endFragment }
            var frames = [Frame(flags: flags, content: writer.bytes)] + chunk
            frames[frames.count - 1].flags |= FrameFlags.isFinal
            return ClientMessage(frames: frames).encoded()
        }
    }

    @Test func reassemblesInterleavedFragments() throws {
        var big = MapGetAllCodec.encodeResponse(
            (0..<20).map { (HazelcastData(string: "key\($0)"), HazelcastData(string: "value\($0)")) }, correlationId: 77)
        big.frames[big.frames.count - 1].flags |= FrameFlags.isFinal
        let other = Self.sampleMessage(correlationId: 5)
        let partsA = Self.fragments(of: big, id: 1, framesPerFragment: 7)
        let partsB = Self.fragments(of: other, id: 2, framesPerFragment: 2)
        #expect(partsA.count > 2)
        var reader = MessageReader()
        var decoded: [ClientMessage] = []
        let interleaved = [partsA[0], partsB[0], partsA[1]] + partsB.dropFirst() + partsA.dropFirst(2)
        for part in interleaved {
            reader.append(part)
            while let message = try reader.nextMessage() { decoded.append(message) }
        }
        #expect(decoded.count == 2)
        #expect(decoded.first.map(\.correlationId) == 5)
        let reassembled = try #require(decoded.last)
        #expect(reassembled.correlationId == 77)
        let entries = try MapGetAllCodec.decodeResponse(reassembled)
        #expect(entries.count == 20)
        #expect(entries.last.map { $0.1 } == HazelcastData(string: "value19"))
    }

    @Test func rejectsFragmentWithoutBeginning() {
        let parts = Self.fragments(of: Self.sampleMessage(), id: 3, framesPerFragment: 1)
        var reader = MessageReader()
        reader.append(parts[1])
        #expect(throws: HazelcastError.self) { try reader.nextMessage() }
    }

    @Test func rejectsFragmentWithoutId() {
        var reader = MessageReader()
        reader.append(Frame(flags: FrameFlags.beginFragment | FrameFlags.isFinal, content: [1, 2]).encodedBytes)
        #expect(throws: HazelcastError.self) { try reader.nextMessage() }
    }

    @Test func randomGarbageNeverTraps() {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<2_000 {
            var reader = MessageReader(maxFrameSize: 4096)
            let length = Int.random(in: 0..<96, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if bytes.count >= 6, Bool.random(using: &generator) {
                bytes[0] = UInt8.random(in: 6...40, using: &generator)
                bytes[1] = 0
                bytes[2] = 0
                bytes[3] = 0
            }
            reader.append(bytes)
            while true {
                guard let message = try? reader.nextMessage() else { break }
                _ = try? MapGetAllCodec.decodeResponse(message)
                _ = try? ClientAuthenticationCodec.decodeResponse(message)
                _ = try? ClientAddClusterViewListenerCodec.decodeEvent(message)
                _ = ErrorCodec.error(from: message)
            }
        }
    }
}

extension Frame {
    var encodedBytes: [UInt8] {
        var buffer: [UInt8] = []
        encode(into: &buffer)
        return buffer
    }
}

