import { ValidationPipe } from '@nestjs/common';
import { ValidationFailedError, toViolations } from '@nws/engine';

/** DTOs are whitelisted strictly: an unknown field is refused by name, never silently dropped. */
export function strictValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: true, value: false },
    exceptionFactory: (errors) => new ValidationFailedError(toViolations(errors)),
  });
}
