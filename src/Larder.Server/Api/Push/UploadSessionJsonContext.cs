using System.Text.Json;
using System.Text.Json.Serialization;

namespace Larder.Server.Api.Push;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StoredSession))]
internal sealed partial class UploadSessionJsonContext : JsonSerializerContext;
