// Binding values to columns looks at each token a bounded number of times, whatever the shape:
// values that run to the same end, nested groups and CASEs. Counted, not timed: the count grew
// with the square of the statement for some of these shapes until 6 December (a megabyte of
// `password = 'x' ` took 15 s of the event loop).
import { test } from 'node:test';
import { assertLinearSteps } from '../../test/support/binding-steps.js';

test('hostile shapes are bound in a number of steps linear in their tokens', () => {
  for (const unit of [
    "password = 'x' ",
    'password = password ',
    "'x' = password ",
    'password between ',
    "password in 'x' ",
    '(password) = ',
    'CASE password WHEN ',
    "password = CASE WHEN a = 1 THEN 'x' ",
  ]) {
    assertLinearSteps(unit, (n) => `SELECT ${unit.repeat(n)}`);
  }
});
