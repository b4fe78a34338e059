using System.Text.Json.Serialization;

namespace Larder.Cli.Config;

/// <summary>
/// The config file's JSON, generated at build time: the reflection-based serializer emitted code at every start of the
/// CLI (a cost each command paid before doing anything).
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(CliConfig))]
internal sealed partial class ConfigJsonContext : JsonSerializerContext;
