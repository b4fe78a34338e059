using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Larder.Cli.Output;

/// <summary>
/// Prints a value as indented JSON on stdout (for <c>--json</c>), escaping only what JSON requires: scripts read
/// <c>+</c> in store paths and keys, not <c>\u002B</c>.
/// </summary>
internal static class JsonOutput
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write<T>(T value, JsonTypeInfo<T> type) => Console.Out.WriteLine(Serialize(value, type));

    /// <summary>The JSON text <see cref="Write"/> prints.</summary>
    public static string Serialize<T>(T value, JsonTypeInfo<T> type)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            JsonSerializer.Serialize(writer, value, type);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
