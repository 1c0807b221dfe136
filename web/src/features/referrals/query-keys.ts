/** Query key prefix of referral lists and details: invalidate it after an answer. */
export const referralsQueryKey = ['referrals'] as const;
/** Query key of one referral's detail (under the prefix, so an answer refreshes lists and details at once). */
export const referralQueryKey = (referralId: string) => [...referralsQueryKey, 'detail', referralId] as const;
