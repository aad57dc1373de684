import Foundation
import SeededRandom
import Testing
import Hazelcast

@Suite("Codecs: round trips, truncation, forward compatibility")
struct CodecTests {
    static let memberUUID = UUID(uuidString: "11111111-2222-3333-4444-555555555555")!
    static let address = HazelcastAddress(host: "127.0.0.1", port: 5701)

    static func authResponse() -> ClientMessage {
        ClientAuthenticationCodec.encodeResponse(.init(
            status: 0, memberUuid: memberUUID, serializationVersion: 1, partitionCount: 271, clusterId: UUID(),
            failoverSupported: false, address: address, serverHazelcastVersion: "5.3.0"), correlationId: 3)
    }

    static func member(_ port: Int, addressMap: Bool = true) -> MemberInfo {
        let address = HazelcastAddress(host: "10.0.0.1", port: port)
        return MemberInfo(uuid: UUID(), address: address, attributes: [("zone", "a")],
                          version: MemberVersion(major: 5, minor: 3, patch: 0),
                          addressMap: addressMap ? [(EndpointQualifier(type: EndpointQualifier.clientProtocol), HazelcastAddress(host: "public.example", port: port))] : nil)
    }

    /// Adds `extra` bytes to the initial frame and `trailing` frames before the final frame flag.
    static func extended(_ message: ClientMessage, extraFixed: Int, trailing: [Frame]) -> ClientMessage {
        var frames = message.frames
        frames[0].content += [UInt8](repeating: 0xAB, count: extraFixed)
        frames[frames.count - 1].flags &= ~FrameFlags.isFinal
        frames += trailing
        frames[frames.count - 1].flags |= FrameFlags.isFinal
        return ClientMessage(frames: frames)
    }

    static let unknownStructure: [Frame] = [
        .begin, Frame(content: [1, 2, 3]), .begin, Frame(content: Array("inner".utf8)), .end, .null, .end,
    ]

    // MARK: Round trips

    @Test func authenticationRoundTrip() throws {
        let request = ClientAuthenticationCodec.Request(
            clusterName: "prod", username: "user", password: "secret", uuid: UUID(), clientType: "SWF",
            clientHazelcastVersion: "5.3.0", clientName: "c1", labels: ["a", "b"])
        #expect(try ClientAuthenticationCodec.decodeRequest(ClientAuthenticationCodec.encodeRequest(request)) == request)
        let response = try ClientAuthenticationCodec.decodeResponse(Self.authResponse())
        #expect(response.status == 0)
        #expect(response.memberUuid == Self.memberUUID)
        #expect(response.partitionCount == 271)
        #expect(response.address == Self.address)
        #expect(response.serverHazelcastVersion == "5.3.0")
    }

    @Test func mapCodecsRoundTrip() throws {
        let key = HazelcastData(string: "k")
        let value = HazelcastData(jsonValue: "{}")
        let put = MapWriteRequest(name: "m", key: key, value: value, threadId: 7, ttlMillis: 1000)
        #expect(try MapPutCodec.decodeRequest(MapPutCodec.encodeRequest(put, partitionId: 3)) == put)
        #expect(try MapSetCodec.decodeRequest(MapSetCodec.encodeRequest(put, partitionId: 3)) == put)
        let get = MapKeyRequest(name: "m", key: key, threadId: 7)
        #expect(try MapGetCodec.decodeRequest(MapGetCodec.encodeRequest(get, partitionId: 3)) == get)
        #expect(try MapRemoveCodec.decodeRequest(MapRemoveCodec.encodeRequest(get, partitionId: 3)) == get)
        #expect(try MapDeleteCodec.decodeRequest(MapDeleteCodec.encodeRequest(get, partitionId: 3)) == get)
        #expect(try MapGetCodec.decodeResponse(MapGetCodec.encodeResponse(value, correlationId: 1)) == value)
        #expect(try MapGetCodec.decodeResponse(MapGetCodec.encodeResponse(nil, correlationId: 1)) == nil)
        let entries = try MapGetAllCodec.decodeResponse(MapGetAllCodec.encodeResponse([(key, value)], correlationId: 1))
        #expect(entries.count == 1 && entries[0].0 == key && entries[0].1 == value)
        let (name, keys) = try MapGetAllCodec.decodeRequest(MapGetAllCodec.encodeRequest(name: "m", keys: [key, key], partitionId: 1))
        #expect(name == "m" && keys == [key, key])
    }

    @Test func clusterViewEventsRoundTrip() throws {
        let members = [Self.member(5701), Self.member(5702, addressMap: false)]
        let event = ClientAddClusterViewListenerCodec.encodeMembersView(version: 4, members: members, correlationId: 9)
        #expect(event.isEvent)
        guard case .members(let version, let decoded)? = try ClientAddClusterViewListenerCodec.decodeEvent(event) else {
            Issue.record("not a members view")
            return
        }
        #expect(version == 4)
        #expect(decoded.map(\.uuid) == members.map(\.uuid))
        #expect(decoded[0].clientAddress == HazelcastAddress(host: "public.example", port: 5701))
        #expect(decoded[1].addressMap == nil)
        #expect(decoded[1].clientAddress == HazelcastAddress(host: "10.0.0.1", port: 5702))
        #expect(decoded[0].attributes.first?.0 == "zone")

        let owner = UUID()
        let partitions = ClientAddClusterViewListenerCodec.encodePartitionsView(version: 2, owners: [(owner, [0, 1, 2])], correlationId: 9)
        guard case .partitions(let partitionVersion, let owners)? = try ClientAddClusterViewListenerCodec.decodeEvent(partitions) else {
            Issue.record("not a partitions view")
            return
        }
        #expect(partitionVersion == 2)
        #expect(owners.count == 1 && owners[0].0 == owner && owners[0].1 == [0, 1, 2])
    }

    @Test func errorResponseCarriesCodeClassAndMessage() throws {
        let holders = [
            ErrorHolder(errorCode: 23, className: "java.lang.IllegalArgumentException", message: "bad partition",
                        stackTrace: [StackTraceElement(className: "A", methodName: "b", fileName: nil, lineNumber: 3)]),
            ErrorHolder(errorCode: 0, className: "cause", message: nil),
        ]
        let message = ErrorCodec.encode(holders, correlationId: 8)
        #expect(try ErrorCodec.decode(message) == holders)
        #expect(ErrorCodec.error(from: message) == .server(code: 23, className: "java.lang.IllegalArgumentException", message: "bad partition"))
    }

    // MARK: Truncated and malformed input

    static func prefixes(of message: ClientMessage) -> [ClientMessage] {
        (1..<message.frames.count).map { ClientMessage(frames: Array(message.frames.prefix($0))) }
    }

    static func shortenedInitialFrames(of message: ClientMessage) -> [ClientMessage] {
        (0..<message.frames[0].content.count).map { length in
            var copy = message
            copy.frames[0].content = Array(copy.frames[0].content.prefix(length))
            return copy
        }
    }

    @Test func truncatedResponsesThrow() {
        let responses: [(String, ClientMessage, (ClientMessage) throws -> Void)] = [
            ("auth", Self.authResponse(), { _ = try ClientAuthenticationCodec.decodeResponse($0) }),
            ("get", MapGetCodec.encodeResponse(HazelcastData(string: "v"), correlationId: 1), { _ = try MapGetCodec.decodeResponse($0) }),
            ("getAll", MapGetAllCodec.encodeResponse([(HazelcastData(string: "k"), HazelcastData(string: "v"))], correlationId: 1),
             { _ = try MapGetAllCodec.decodeResponse($0) }),
            ("error", ErrorCodec.encode([ErrorHolder(errorCode: 1, className: "X", message: "m")], correlationId: 1),
             { _ = try ErrorCodec.decode($0) }),
            ("members", ClientAddClusterViewListenerCodec.encodeMembersView(version: 1, members: [Self.member(1)], correlationId: 1),
             { _ = try ClientAddClusterViewListenerCodec.decodeEvent($0) }),
            ("partitions", ClientAddClusterViewListenerCodec.encodePartitionsView(version: 1, owners: [(UUID(), [1, 2])], correlationId: 1),
             { _ = try ClientAddClusterViewListenerCodec.decodeEvent($0) }),
        ]
        for (name, message, decode) in responses {
            for prefix in Self.prefixes(of: message) {
                #expect(throws: HazelcastError.self, "\(name) with \(prefix.frames.count) frame(s)") { try decode(prefix) }
            }
        }
        // Initial frames too short for their required fixed fields (the last byte, the failover
        // flag, is optional: see olderAuthenticationResponseWithoutFailoverFlagDecodes).
        for short in Self.shortenedInitialFrames(of: Self.authResponse()).dropLast() {
            #expect(throws: HazelcastError.self) { _ = try ClientAuthenticationCodec.decodeResponse(short) }
        }
    }

    @Test func malformedFramesThrow() {
        // A string frame that is not UTF-8.
        var badString = MapGetAllCodec.encodeRequest(name: "m", keys: [], partitionId: 1)
        badString.frames[1].content = [0xFF, 0xFE]
        #expect(throws: HazelcastError.self) { _ = try MapGetAllCodec.decodeRequest(badString) }
        // A list whose BEGIN frame is missing.
        var noBegin = MapGetAllCodec.encodeResponse([], correlationId: 1)
        noBegin.frames[1].flags = 0
        #expect(throws: HazelcastError.self) { _ = try MapGetAllCodec.decodeResponse(noBegin) }
        // A response of another type.
        #expect(throws: HazelcastError.self) { _ = try MapGetCodec.decodeResponse(MapPutCodec.encodeResponse(nil, correlationId: 1)) }
        // UUID and int lists of the wrong size.
        var badPartitions = ClientAddClusterViewListenerCodec.encodePartitionsView(version: 1, owners: [(UUID(), [1])], correlationId: 1)
        badPartitions.frames[badPartitions.frames.count - 1].content.removeLast()
        #expect(throws: HazelcastError.self) { _ = try ClientAddClusterViewListenerCodec.decodeEvent(badPartitions) }
    }

    @Test func randomlyCorruptedMessagesNeverTrap() {
        var generator = SplitMix64(seed: 7)
        let samples = [
            Self.authResponse(),
            ClientAddClusterViewListenerCodec.encodeMembersView(version: 1, members: [Self.member(1), Self.member(2)], correlationId: 1),
            MapGetAllCodec.encodeResponse([(HazelcastData(string: "k"), HazelcastData(string: "v"))], correlationId: 1),
        ]
        for _ in 0..<3_000 {
            var message = samples[Int.random(in: 0..<samples.count, using: &generator)]
            let index = Int.random(in: 0..<message.frames.count, using: &generator)
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: message.frames[index].flags ^= UInt16(1) << UInt16.random(in: 7...15, using: &generator)
            case 1: message.frames.remove(at: index)
            default: message.frames[index].content = Array(message.frames[index].content.prefix(Int.random(in: 0...20, using: &generator)))
            }
            _ = try? ClientAuthenticationCodec.decodeResponse(message)
            _ = try? ClientAddClusterViewListenerCodec.decodeEvent(message)
            _ = try? MapGetAllCodec.decodeResponse(message)
        }
    }

    // MARK: Forward compatibility

    @Test func responsesWithExtraFixedBytesAndTrailingFramesDecode() throws {
        let auth = Self.extended(Self.authResponse(), extraFixed: 13, trailing: [Frame(content: Array("new field".utf8))] + Self.unknownStructure)
        let decoded = try ClientAuthenticationCodec.decodeResponse(auth)
        #expect(decoded.memberUuid == Self.memberUUID && decoded.partitionCount == 271 && decoded.serverHazelcastVersion == "5.3.0")

        let value = HazelcastData(string: "v")
        let get = Self.extended(MapGetCodec.encodeResponse(value, correlationId: 1), extraFixed: 4, trailing: Self.unknownStructure)
        #expect(try MapGetCodec.decodeResponse(get) == value)

        let getAll = Self.extended(MapGetAllCodec.encodeResponse([(value, value)], correlationId: 1), extraFixed: 8, trailing: [.null])
        #expect(try MapGetAllCodec.decodeResponse(getAll).count == 1)

        let error = Self.extended(ErrorCodec.encode([ErrorHolder(errorCode: 5, className: "E", message: "m")], correlationId: 1),
                                  extraFixed: 2, trailing: Self.unknownStructure)
        #expect(ErrorCodec.error(from: error) == .server(code: 5, className: "E", message: "m"))
    }

    @Test func olderAuthenticationResponseWithoutFailoverFlagDecodes() throws {
        var message = Self.authResponse()
        message.frames[0].content.removeLast()
        let decoded = try ClientAuthenticationCodec.decodeResponse(message)
        #expect(decoded.failoverSupported == false && decoded.partitionCount == 271)
    }

    @Test func newerCustomStructuresAreSkippedToTheirEnd() throws {
        // A MemberInfo with extra fixed bytes and unknown frames (including nested structures)
        // after its known fields, followed by a second, plain MemberInfo.
        var first = ClientMessage(frames: [])
        MemberInfoCodec.encode(Self.member(5701), into: &first)
        first.frames[1].content += [9, 9, 9, 9]
        first.frames.insert(contentsOf: [Frame(content: Array("extra".utf8))] + Self.unknownStructure, at: first.frames.count - 1)
        var second = ClientMessage(frames: [])
        MemberInfoCodec.encode(Self.member(5702), into: &second)

        var fixed = ByteWriter()
        fixed.writeInt32(3)
        var event = ClientMessage.event(type: ClientAddClusterViewListenerCodec.membersViewEventType, correlationId: 1, fixed: fixed)
        event.frames += [.begin] + first.frames + second.frames + [.end]
        event = event.finished()
        guard case .members(_, let members)? = try ClientAddClusterViewListenerCodec.decodeEvent(event) else {
            Issue.record("not a members view")
            return
        }
        #expect(members.map(\.address.port) == [5701, 5702])
        #expect(members[0].version == MemberVersion(major: 5, minor: 3, patch: 0))
    }

    @Test func addressWithUnknownTrailingFieldsDecodes() throws {
        var message = ClientMessage(frames: [])
        AddressCodec.encode(Self.address, into: &message)
        message.frames[1].content += [1, 2, 3, 4]
        message.frames.insert(contentsOf: Self.unknownStructure, at: message.frames.count - 1)
        message.append(Frame(content: Array("next".utf8)))
        var iterator = message.iterator(what: "test")
        #expect(try AddressCodec.decode(&iterator) == Self.address)
        #expect(try StringCodec.decode(&iterator) == "next")
    }
}
