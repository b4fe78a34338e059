namespace Larder.Server.Configuration;

/// <summary>
/// The server's configuration is invalid; the message names the key and the problem, and <see cref="Hint"/> (when
/// set) says what to do. Raised at start-up.
/// </summary>
public sealed class LarderConfigurationException(string message, Exception? inner = null, string? hint = null) : Exception(message, inner)
{
    /// <summary>What the operator should do, when the message alone does not say it.</summary>
    public string? Hint { get; } = hint;
}
