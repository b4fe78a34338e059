namespace Larder.Nix.Signing;

/// <summary>A signing key (or key name) that is not in Nix's <c>name:base64</c> format or has the wrong length.</summary>
public sealed class KeyFormatException(string message) : FormatException(message);
