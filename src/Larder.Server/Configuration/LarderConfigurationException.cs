namespace Larder.Server.Configuration;

/// <summary>The server's configuration is invalid; the message names the key and the problem. Raised at start-up.</summary>
public sealed class LarderConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
