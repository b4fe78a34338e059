using System.Text.Json;
using System.Text.Json.Serialization;
using Larder.Cli.Commands.Push;

namespace Larder.Cli.Output;

/// <summary>JSON shapes the CLI prints with <c>--json</c> that are not API DTOs.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PushSummary))]
[JsonSerializable(typeof(UseResult))]
[JsonSerializable(typeof(PathInfoResult))]
[JsonSerializable(typeof(List<ServerListing>))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
