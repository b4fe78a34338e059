using System.Text.Json;
using System.Text.Json.Serialization;

namespace Larder.Cli.Commands.Explain;

/// <summary>Source-generated JSON metadata for <c>larder explain --json</c>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ExplainReport))]
internal sealed partial class ExplainJsonContext : JsonSerializerContext;
