import Foundation

/// Strings travel as one frame of UTF-8 bytes.
package enum StringCodec {
    package static func encode(_ value: String, into message: inout ClientMessage) {
        message.append(Frame(content: Array(value.utf8)))
    }

    package static func decode(_ iterator: inout FrameIterator) throws(HazelcastError) -> String {
        let frame = try iterator.next()
        guard let text = String(validating: frame.content, as: UTF8.self) else {
            throw .protocol("\(iterator.what): a string frame is not valid UTF-8")
        }
        return text
    }
}

/// Serialized values travel as one frame holding the Data bytes.
package enum DataCodec {
    package static func encode(_ value: HazelcastData, into message: inout ClientMessage) {
        message.append(Frame(content: value.bytes))
    }

    package static func decode(_ iterator: inout FrameIterator) throws(HazelcastError) -> HazelcastData {
        HazelcastData(bytes: try iterator.next().content)
    }
}

/// A nullable value is either the value's frames or one IS_NULL frame.
package enum NullableCodec {
    package static func encode<T>(
        _ value: T?, into message: inout ClientMessage, _ encoder: (T, inout ClientMessage) -> Void
    ) {
        if let value { encoder(value, &message) } else { message.append(.null) }
    }

    package static func decode<T>(
        _ iterator: inout FrameIterator, _ decoder: (inout FrameIterator) throws(HazelcastError) -> T
    ) throws(HazelcastError) -> T? {
        if iterator.nextIsNull() { return nil }
        return try decoder(&iterator)
    }
}

/// A list of multi-frame items: BEGIN, the items, END.
package enum ListCodec {
    package static func encode<T>(
        _ items: [T], into message: inout ClientMessage, _ encoder: (T, inout ClientMessage) -> Void
    ) {
        message.append(.begin)
        for item in items { encoder(item, &message) }
        message.append(.end)
    }

    package static func decode<T>(
        _ iterator: inout FrameIterator, _ decoder: (inout FrameIterator) throws(HazelcastError) -> T
    ) throws(HazelcastError) -> [T] {
        try iterator.expectBegin("a list")
        var items: [T] = []
        while true {
            guard iterator.peek() != nil else { throw .protocol("\(iterator.what): a list has no END frame") }
            if iterator.nextIsEnd() { break }
            items.append(try decoder(&iterator))
        }
        _ = try iterator.next()
        return items
    }
}

/// A list of entries (or a map): BEGIN, key, value, key, value, …, END — a list whose items
/// are a key then a value.
package enum EntryListCodec {
    package static func encode<K, V>(
        _ entries: [(K, V)], into message: inout ClientMessage,
        key keyEncoder: (K, inout ClientMessage) -> Void, value valueEncoder: (V, inout ClientMessage) -> Void
    ) {
        ListCodec.encode(entries, into: &message) { entry, message in
            keyEncoder(entry.0, &message)
            valueEncoder(entry.1, &message)
        }
    }

    package static func decode<K, V>(
        _ iterator: inout FrameIterator,
        key keyDecoder: (inout FrameIterator) throws(HazelcastError) -> K,
        value valueDecoder: (inout FrameIterator) throws(HazelcastError) -> V
    ) throws(HazelcastError) -> [(K, V)] {
        try ListCodec.decode(&iterator) { (iterator: inout FrameIterator) throws(HazelcastError) -> (K, V) in
            (try keyDecoder(&iterator), try valueDecoder(&iterator))
        }
    }
}

/// A list of int32 values packed into one frame.
package enum IntegerListCodec {
    package static func encode(_ values: [Int32], into message: inout ClientMessage) {
        var writer = ByteWriter(capacity: values.count * 4)
        for value in values { writer.writeInt32(value) }
        message.append(Frame(content: writer.bytes))
    }

    package static func decode(_ iterator: inout FrameIterator) throws(HazelcastError) -> [Int32] {
        let frame = try iterator.next()
        guard frame.content.count % 4 == 0 else {
            throw .protocol("\(iterator.what): an int list frame of \(frame.content.count) bytes")
        }
        let reader = ByteReader(frame.content, what: iterator.what)
        var values: [Int32] = []
        values.reserveCapacity(frame.content.count / 4)
        for offset in stride(from: 0, to: frame.content.count, by: 4) {
            values.append(try reader.int32(at: offset))
        }
        return values
    }
}

/// A list of UUIDs packed into one frame, 17 bytes each.
package enum UUIDListCodec {
    package static func encode(_ values: [UUID?], into message: inout ClientMessage) {
        var writer = ByteWriter(capacity: values.count * ByteReader.uuidSize)
        for value in values { writer.writeUUID(value) }
        message.append(Frame(content: writer.bytes))
    }

    package static func decode(_ iterator: inout FrameIterator) throws(HazelcastError) -> [UUID?] {
        let frame = try iterator.next()
        let size = ByteReader.uuidSize
        guard frame.content.count % size == 0 else {
            throw .protocol("\(iterator.what): a UUID list frame of \(frame.content.count) bytes")
        }
        let reader = ByteReader(frame.content, what: iterator.what)
        var values: [UUID?] = []
        for offset in stride(from: 0, to: frame.content.count, by: size) {
            values.append(try reader.uuid(at: offset))
        }
        return values
    }
}

/// UUID → list of int32 entries, laid out as a list of int lists followed by one UUID list.
package enum UUIDToIntegerListCodec {
    package static func encode(_ entries: [(UUID, [Int32])], into message: inout ClientMessage) {
        ListCodec.encode(entries.map(\.1), into: &message) { list, message in
            IntegerListCodec.encode(list, into: &message)
        }
        UUIDListCodec.encode(entries.map(\.0), into: &message)
    }

    package static func decode(_ iterator: inout FrameIterator) throws(HazelcastError) -> [(UUID?, [Int32])] {
        let values = try ListCodec.decode(&iterator) { (it: inout FrameIterator) throws(HazelcastError) in
            try IntegerListCodec.decode(&it)
        }
        let keys = try UUIDListCodec.decode(&iterator)
        guard keys.count == values.count else {
            throw .protocol("\(iterator.what): \(keys.count) UUID(s) for \(values.count) partition list(s)")
        }
        return Array(zip(keys, values))
    }
}
