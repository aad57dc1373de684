import JSON
import OBFEngine
import OBFHTTP

/// `GET /features/{asset}/{bar}`, `/macro/{bar}` and `/bars/{bar}`: look-ups in the published store.
extension APIRoutes {
    func features(_ request: RoutedRequest) throws(RequestRejection) -> HTTPResponse {
        let asset = try RequestValidation.asset(request.parameter("asset"))
        let bar = try RequestValidation.bar(request.parameter("bar"))
        var json = JSONWriter()
        json.lookup(rendered.rendered(engine.store.lookup(asset: asset, bar: bar)))
        return .json(json.bytes)
    }

    func macro(_ request: RoutedRequest) throws(RequestRejection) -> HTTPResponse {
        var json = JSONWriter()
        json.macroLookup(engine.store.macroLookup(bar: try RequestValidation.bar(request.parameter("bar"))))
        return .json(json.bytes)
    }

    func bars(_ request: RoutedRequest) throws(RequestRejection) -> HTTPResponse {
        let bar = try RequestValidation.bar(request.parameter("bar"))
        let (assets, macro) = engine.store.barLookup(bar: bar, including: configuredAssets)
        var json = JSONWriter(capacity: 512 + assets.count * 400)
        json.beginObject()
        json.field("bar", bar)
        json.key("assets")
        json.beginObject()
        for lookup in rendered.rendered(assets) {
            json.key(lookup.lookup.asset)
            json.lookup(lookup, includeAsset: false)
        }
        json.endObject()
        json.key("macro")
        json.macroLookup(macro)
        json.endObject()
        return .json(json.bytes)
    }
}
