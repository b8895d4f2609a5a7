import { ValidateBy } from 'class-validator';
import { localized } from '@nws/engine';
import { hasValidCheckDigit } from '@nws/reference-catalog';

/**
 * A body (機関) as tokens and the access log name it: a 6-digit 全国地方公共団体コード whose check
 * digit is right, or J-LIS or MIC. A mistyped code is refused, not answered with an empty list as
 * if the body had nothing.
 */
export const IsBodyCode = () =>
  ValidateBy({
    name: 'isBodyCode',
    validator: {
      validate: (value: unknown) => value === 'J-LIS' || value === 'MIC' || (typeof value === 'string' && hasValidCheckDigit(value)),
      defaultMessage: () => localized('検査数字の正しい6桁の全国地方公共団体コード、J-LIS 又は MIC で指定してください。', 'must be a 6-digit local government code with a correct check digit, J-LIS or MIC'),
    },
  });
