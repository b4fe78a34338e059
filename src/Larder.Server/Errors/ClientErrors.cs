namespace Larder.Server.Errors;

/// <summary>The request is malformed or breaks a rule (HTTP 400); the message names the problem.</summary>
public sealed class InvalidRequestException(string message, Exception? inner = null)
    : LarderException(ErrorKind.BadRequest, message, inner);

/// <summary>A token is needed and none valid was sent (HTTP 401, with the Basic challenge Nix's netrc answers).</summary>
public sealed class UnauthorizedException(string message) : LarderException(ErrorKind.Unauthorized, message);

/// <summary>The calling token may not do this (HTTP 403).</summary>
public sealed class ForbiddenException(string message) : LarderException(ErrorKind.Forbidden, message);

/// <summary>The thing asked for does not exist (HTTP 404).</summary>
public sealed class NotFoundException(string message) : LarderException(ErrorKind.NotFound, message);

/// <summary>The request contradicts what is stored (HTTP 409).</summary>
public sealed class ConflictException(string message) : LarderException(ErrorKind.Conflict, message);

/// <summary>The body is larger than this request allows (HTTP 413).</summary>
public sealed class PayloadTooLargeException(string message) : LarderException(ErrorKind.PayloadTooLarge, message);

/// <summary>The body's encoding is not accepted here (HTTP 415).</summary>
public sealed class UnsupportedMediaTypeException(string message) : LarderException(ErrorKind.UnsupportedMediaType, message);
