import { ConvexError } from 'convex/values';
import { describe, expect, it } from 'vitest';
import { InternalError, NotFoundError, ValidationError } from './index.js';
import { fromConvexError, toConvexError, withConvexErrors } from './convex.js';

describe('convex adapter', () => {
  it('turns an exposed error into ConvexError data a client can branch on', () => {
    const error = toConvexError(new NotFoundError('Project not found', { details: { id: 'p1' } }));
    expect(error).toBeInstanceOf(ConvexError);
    expect(error.data).toEqual({ armor: true, code: 'NOT_FOUND', status: 404, message: 'Project not found', details: { id: 'p1' } });
  });

  it('hides internal messages', () => {
    const error = toConvexError(new Error('password=hunter2'));
    expect(error.data).toEqual({ armor: true, code: 'INTERNAL', status: 500, message: 'An internal error occurred.' });
    expect(toConvexError(new InternalError('x', { details: { secret: 1 } })).data.details).toBeUndefined();
  });

  it('round-trips validation issues', () => {
    const original = new ValidationError('bad', { issues: [{ path: '/name', message: 'Required', code: 'invalid_type' }] });
    const back = fromConvexError(toConvexError(original));
    expect(back).toBeInstanceOf(ValidationError);
    expect((back as ValidationError).issues).toEqual(original.issues);
    expect(back.code).toBe('VALIDATION_FAILED');
  });

  it('withConvexErrors rethrows as ConvexError and passes values through', async () => {
    const ok = withConvexErrors(async (x: number) => x * 2);
    expect(await ok(2)).toBe(4);
    const failing = withConvexErrors(async () => {
      throw new NotFoundError('gone');
    });
    await expect(failing()).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    expect(fromConvexError(new Error('plain')).code).toBe('INTERNAL');
  });
});
