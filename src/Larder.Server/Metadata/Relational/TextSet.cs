using System.Text.Json.Serialization;

namespace Larder.Server.Metadata.Relational;

/// <summary>
/// A parameter value holding many strings, read in SQL through <see cref="SqlDialect.TextSetSource"/> (one round trip
/// whatever the count).
/// </summary>
internal sealed record TextSet(IReadOnlyCollection<string> Items);

/// <summary>The JSON form of a <see cref="TextSet"/>'s items (an array of strings), generated at compile time.</summary>
[JsonSerializable(typeof(IReadOnlyCollection<string>))]
internal sealed partial class TextSetJsonContext : JsonSerializerContext;
