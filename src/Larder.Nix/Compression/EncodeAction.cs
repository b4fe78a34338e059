namespace Larder.Nix.Compression;

/// <summary>What a <see cref="CompressingStream"/> asks its encoder to do.</summary>
internal enum EncodeAction
{
    /// <summary>Consume input; emit output when the encoder has some.</summary>
    Process,

    /// <summary>Emit everything written so far so that it can be decoded (the frame stays open).</summary>
    Flush,

    /// <summary>End the frame/stream.</summary>
    Finish,
}
