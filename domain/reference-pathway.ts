/**
 * The default One Stop Shop pathway (domain brief, "Default OSS pathway"), shipped as demo data
 * and as the starting point coordinators copy. Values marked *(assumed)* in the brief are our own
 * defaults; everything here is data a coordinator may change without a release.
 */
import type { PathwayDefinitionInput } from './pathway-schema';

const text = (it: string, en: string) => ({ it, en });
const option = (value: string, it: string, en: string) => ({ value, label: text(it, en) });

const supervisorAfter = (amount: number, unit: 'minutes' | 'hours' | 'calendarDays') => ({ after: { amount, unit }, role: 'supervisor' as const });
const coordinatorAfter = (amount: number) => ({ after: { amount, unit: 'calendarDays' as const }, role: 'coordinator' as const });
const daysBefore = (amount: number) => ({ before: { amount, unit: 'calendarDays' as const } });

/** The six dimensions of the multidimensional assessment (D.Lgs 147/2017 art. 5). */
const assessmentDimensions = [
  // Personal functioning is where health, addiction and disability notes end up: kept out of the CPI's view.
  { key: 'personalFunctioning', type: 'textarea' as const, label: text('Funzionamento personale e sociale', 'Personal and social functioning'), category: 'health' as const },
  { key: 'economicSituation', type: 'textarea' as const, label: text('Situazione economica', 'Economic situation') },
  { key: 'workEmployability', type: 'textarea' as const, label: text('Situazione lavorativa e profilo di occupabilità', 'Work and employability') },
  { key: 'educationTraining', type: 'textarea' as const, label: text('Educazione, istruzione e formazione', 'Education and training') },
  { key: 'housing', type: 'textarea' as const, label: text('Condizione abitativa', 'Housing') },
  { key: 'familyNetworks', type: 'textarea' as const, label: text('Reti familiari, di prossimità e sociali', 'Family and social networks'), category: 'minors' as const },
];

export const ossReferencePathway: PathwayDefinitionInput = {
  key: 'oss-integrated-pathway',
  title: text('Percorso integrato One Stop Shop', 'One Stop Shop integrated pathway'),
  description: text(
    'Dall’aggancio alla chiusura: accoglienza, verifica ADI/SFL, valutazione multidimensionale, patto per l’inclusione e monitoraggio.',
    'From outreach to closure: intake, ADI/SFL eligibility, multidimensional assessment, joint plan and follow-up.',
  ),
  caseFields: [
    {
      key: 'targetGroup',
      type: 'select',
      required: true,
      label: text('Gruppo destinatario', 'Target group'),
      options: [option('homeless', 'Persona senza dimora', 'Homeless person'), option('family_with_minors', 'Nucleo vulnerabile con minori', 'Vulnerable family with minors')],
    },
  ],
  start: 'outreach',
  steps: {
    outreach: {
      kind: 'task',
      title: text('Aggancio e invio', 'Outreach & referral'),
      assignee: { service: 'outreach' },
      // Same day and 24 h to the area manager are *(assumed)* in the brief.
      deadline: { amount: 0, unit: 'calendarDays' },
      escalation: [supervisorAfter(24, 'hours')],
      form: {
        fields: [
          {
            key: 'source',
            type: 'select',
            label: text('Canale di aggancio', 'Source'),
            options: [
              option('street', 'Unità di strada', 'Street outreach'),
              option('shelter', 'Struttura di accoglienza', 'Shelter'),
              option('station', 'Stazione / punto di accesso', 'Station / access point'),
              option('referral', 'Invio da altro servizio', 'Referral from another service'),
              option('self', 'Accesso spontaneo', 'Self-referral'),
            ],
          },
          { key: 'place', type: 'text', label: text('Luogo', 'Place') },
          { key: 'urgent', type: 'boolean', required: true, label: text('Situazione urgente', 'Urgent') },
        ],
      },
      next: 'triage',
    },
    triage: {
      kind: 'decision',
      title: text('Valutazione urgenza', 'Urgency triage'),
      rules: [{ when: { field: 'outreach.urgent', op: 'isTrue' }, next: 'emergency', label: text('Urgente', 'Urgent') }],
      otherwise: 'intake',
    },
    emergency: {
      kind: 'task',
      title: text('Pronto intervento sociale', 'Emergency response'),
      assignee: { service: 'social' },
      deadline: { amount: 2, unit: 'hours' },
      // "Alerted at once": the on-duty supervisor is reached the moment the two hours run out.
      escalation: [supervisorAfter(0, 'minutes')],
      form: {
        fields: [
          { key: 'risk', type: 'textarea', label: text('Rischio rilevato', 'Risk observed') },
          { key: 'shelterPlaced', type: 'boolean', label: text('Accoglienza notturna trovata', 'Shelter placed') },
          { key: 'healthFlag', type: 'boolean', category: 'health', label: text('Segnalazione sanitaria', 'Health flag') },
          { key: 'minorsInvolved', type: 'boolean', category: 'minors', label: text('Minori coinvolti', 'Minors involved') },
        ],
      },
      next: 'intake',
    },
    intake: {
      kind: 'task',
      title: text('Accoglienza e primo ascolto', 'Intake'),
      assignee: { service: 'oss' },
      deadline: { amount: 1, unit: 'workingDays' },
      form: {
        fields: [
          { key: 'alias', type: 'text', required: true, maxLength: 200, label: text('Nome o alias', 'Name or alias') },
          { key: 'contacts', type: 'text', label: text('Recapiti', 'Contacts') },
          {
            key: 'address',
            type: 'select',
            label: text('Indirizzo', 'Address'),
            options: [
              option('own_address', 'Residenza anagrafica', 'Registered home address'),
              option('residenza_fittizia', 'Residenza fittizia', 'Registered address for homeless people'),
              option('to_request', 'Residenza fittizia da richiedere', 'Registered address to be requested'),
              option('none', 'Nessuna', 'None'),
            ],
          },
          {
            key: 'householdType',
            type: 'select',
            label: text('Nucleo familiare', 'Household'),
            options: [
              option('single', 'Persona sola', 'Single person'),
              option('couple', 'Coppia senza minori', 'Couple without minors'),
              option('family_with_minors', 'Famiglia con minori', 'Family with minors'),
              option('single_parent', 'Genitore solo con minori', 'Single parent with minors'),
              option('other', 'Altro', 'Other'),
            ],
          },
          { key: 'minors', type: 'boolean', category: 'minors', label: text('Minori nel nucleo', 'Minors in the household') },
          { key: 'language', type: 'text', maxLength: 100, label: text('Lingua preferita', 'Preferred language') },
          {
            key: 'currentBenefits',
            type: 'multiselect',
            label: text('Misure già percepite', 'Current benefits'),
            options: [
              option('adi', 'Assegno di Inclusione', 'Inclusion allowance (ADI)'),
              option('sfl', 'Supporto Formazione e Lavoro', 'Training and work support (SFL)'),
              option('naspi', 'NASpI', 'Unemployment benefit (NASpI)'),
              option('auu', 'Assegno unico universale', 'Universal child allowance'),
              option('local', 'Contributi comunali', 'Municipal support'),
            ],
          },
          // The legal basis is the law, not consent; what must be recorded is that the notice was given, so "not given" cannot complete intake.
          { key: 'privacyNoticeGiven', type: 'boolean', required: true, mustEqual: true, label: text('Informativa privacy consegnata', 'Privacy notice given') },
        ],
      },
      next: 'eligibility',
    },
    eligibility: {
      kind: 'task',
      title: text('Verifica requisiti ADI/SFL', 'Eligibility check'),
      assignee: { service: 'oss' },
      // 7 days with a reminder on day 5 are *(assumed)* in the brief.
      deadline: { amount: 7, unit: 'calendarDays' },
      reminders: [daysBefore(2)],
      form: {
        fields: [
          { key: 'isee', type: 'number', min: 0, label: text('ISEE (€)', 'ISEE (€)') },
          { key: 'residenceChecked', type: 'boolean', label: text('Requisito di residenza verificato', 'Residence requirement checked') },
          { key: 'inpsApplication', type: 'boolean', label: text('Domanda INPS presentata', 'INPS application filed') },
          {
            key: 'measure',
            type: 'select',
            required: true,
            label: text('Misura', 'Measure'),
            options: [option('adi', 'Assegno di Inclusione', 'Inclusion allowance (ADI)'), option('sfl', 'Supporto Formazione e Lavoro', 'Training and work support (SFL)'), option('none', 'Nessuna (misure locali)', 'Neither (local measures)')],
          },
          { key: 'padDate', type: 'date', label: text('Data di sottoscrizione del PAD', 'PAD signature date'), help: text('Da qui decorrono i 120 giorni per il patto', 'The 120 days for the joint plan run from this date') },
        ],
      },
      next: 'measure_route',
    },
    measure_route: {
      kind: 'decision',
      title: text('Misura nazionale o misure locali', 'National measure or local measures'),
      rules: [{ when: { field: 'eligibility.measure', op: 'in', value: ['adi', 'sfl'] }, next: 'assessment', label: text('ADI o SFL', 'ADI or SFL') }],
      otherwise: 'local_measures',
    },
    local_measures: {
      kind: 'task',
      title: text('Attivazione misure locali', 'Local measures'),
      assignee: { service: 'social' },
      deadline: { amount: 30, unit: 'calendarDays' },
      form: {
        fields: [
          {
            key: 'measures',
            type: 'multiselect',
            label: text('Misure attivate', 'Measures activated'),
            options: [
              option('economic_support', 'Contributo economico', 'Economic support'),
              option('housing_first', 'Housing First', 'Housing First'),
              option('night_shelter', 'Accoglienza notturna', 'Night shelter'),
              option('food_aid', 'Aiuti alimentari', 'Food aid'),
              option('other', 'Altro', 'Other'),
            ],
          },
          { key: 'notes', type: 'textarea', label: text('Note', 'Notes') },
        ],
      },
      next: 'review',
    },
    assessment: {
      kind: 'parallel',
      title: text('Valutazione sociale e lavorativa', 'Social and employment assessment'),
      branches: ['preliminary_assessment', 'employment_screening'],
      next: 'complexity',
    },
    preliminary_assessment: {
      kind: 'task',
      title: text('Analisi preliminare', 'Preliminary assessment'),
      assignee: { service: 'social' },
      // 120 days from the PAD (DM Dec 2023, art. 9); alerts on days 60, 90 and 110.
      deadline: { amount: 120, unit: 'calendarDays', from: { field: 'eligibility.padDate' } },
      reminders: [daysBefore(60), daysBefore(30), daysBefore(10)],
      escalation: [supervisorAfter(0, 'calendarDays'), coordinatorAfter(10)],
      form: {
        fields: [
          ...assessmentDimensions,
          { key: 'complexNeeds', type: 'boolean', required: true, label: text('Bisogni complessi (serve il quadro di analisi)', 'Complex needs (team assessment needed)') },
          { key: 'jobActivable', type: 'boolean', required: true, label: text('Attivabile al lavoro', 'Job-activable') },
        ],
      },
    },
    employment_screening: {
      kind: 'task',
      title: text('Patto di servizio', 'Employment pact'),
      assignee: { service: 'employment' },
      deadline: { amount: 30, unit: 'calendarDays' },
      form: {
        fields: [
          { key: 'didSigned', type: 'boolean', label: text('DID rilasciata', 'Declaration of availability (DID) signed') },
          {
            key: 'profiling',
            type: 'select',
            label: text('Percorso GOL', 'GOL pathway'),
            options: [
              option('gol_1', '1 - Reinserimento lavorativo', '1 - Job reintegration'),
              option('gol_2', '2 - Aggiornamento (upskilling)', '2 - Upskilling'),
              option('gol_3', '3 - Riqualificazione (reskilling)', '3 - Reskilling'),
              option('gol_4', '4 - Lavoro e inclusione', '4 - Work and inclusion'),
              option('not_activable', 'Non attivabile al momento', 'Not job-ready for now'),
            ],
          },
          { key: 'notes', type: 'textarea', label: text('Note', 'Notes') },
        ],
      },
    },
    complexity: {
      kind: 'decision',
      title: text('Bisogni semplici o complessi', 'Simple or complex needs'),
      rules: [{ when: { field: 'preliminary_assessment.complexNeeds', op: 'isTrue' }, next: 'team_assessment', label: text('Bisogni complessi', 'Complex needs') }],
      otherwise: 'joint_plan',
    },
    team_assessment: {
      kind: 'task',
      title: text('Quadro di analisi (équipe multidisciplinare)', 'Team assessment (multidisciplinary team)'),
      assignee: { service: 'social' },
      // +30 days and "team not convened in 15 days → coordinator" are *(assumed)*; escalation can
      // only count from the deadline, so day 15 is a reminder and the coordinator ladder follows it.
      deadline: { amount: 30, unit: 'calendarDays' },
      reminders: [daysBefore(15)],
      escalation: [supervisorAfter(0, 'calendarDays'), coordinatorAfter(15)],
      form: {
        fields: [
          { key: 'needs', type: 'textarea', label: text('Bisogni', 'Needs') },
          { key: 'resources', type: 'textarea', label: text('Risorse', 'Resources') },
          { key: 'goals', type: 'textarea', label: text('Obiettivi', 'Goals') },
          { key: 'risks', type: 'textarea', category: 'health', label: text('Rischi', 'Risks') },
          { key: 'housingNeed', type: 'boolean', label: text('Bisogno abitativo (Housing First)', 'Housing need (Housing First)') },
          { key: 'jobReady', type: 'boolean', label: text('Pronto per il lavoro', 'Job-ready') },
        ],
      },
      next: 'joint_plan',
    },
    joint_plan: {
      kind: 'task',
      title: text('Patto per l’inclusione sociale', 'Joint plan (social inclusion pact)'),
      assignee: { service: 'social' },
      signOff: { services: ['social', 'employment'] },
      deadline: { amount: 120, unit: 'calendarDays', from: { field: 'eligibility.padDate' } },
      // Warning on day 100 is *(assumed)*.
      reminders: [daysBefore(20)],
      escalation: [supervisorAfter(0, 'calendarDays')],
      form: {
        fields: [
          { key: 'goals', type: 'textarea', required: true, label: text('Obiettivi', 'Goals') },
          { key: 'actions', type: 'textarea', required: true, label: text('Azioni e servizio responsabile', 'Actions and owner service') },
          { key: 'reviewDate', type: 'date', required: true, label: text('Data di verifica', 'Review date') },
        ],
      },
      next: 'follow_up',
    },
    follow_up: {
      kind: 'recurring',
      title: text('Monitoraggio', 'Follow-up'),
      // ADI: non-activable members check in every 90 days or payment is suspended.
      every: { amount: 90, unit: 'calendarDays' },
      times: 6,
      until: { field: 'checkin.changeInCircumstances', op: 'isTrue' },
      body: 'checkin',
      next: 'after_follow_up',
    },
    checkin: {
      kind: 'task',
      title: text('Verifica periodica', 'Check-in'),
      assignee: { service: 'social' },
      deadline: { amount: 15, unit: 'calendarDays' },
      reminders: [daysBefore(7)],
      // A missed check-in risks suspension of the benefit: the supervisor is told at once.
      escalation: [supervisorAfter(0, 'calendarDays')],
      form: {
        fields: [
          {
            key: 'attendance',
            type: 'select',
            label: text('Presenza', 'Attendance'),
            options: [option('attended', 'Presente', 'Attended'), option('justified_absence', 'Assenza giustificata', 'Justified absence'), option('unjustified_absence', 'Assenza ingiustificata', 'Unjustified absence')],
          },
          { key: 'progress', type: 'textarea', label: text('Andamento', 'Progress') },
          { key: 'changeInCircumstances', type: 'boolean', required: true, label: text('Cambiamenti nel nucleo o nel reddito', 'Change in household or income') },
        ],
      },
    },
    after_follow_up: {
      kind: 'decision',
      title: text('Esito del monitoraggio', 'Follow-up outcome'),
      rules: [{ when: { field: 'checkin.changeInCircumstances', op: 'isTrue' }, next: 'reassess', label: text('Cambiamento', 'Change') }],
      otherwise: 'review',
    },
    reassess: {
      kind: 'goto',
      title: text('Nuova verifica dei requisiti', 'Re-check eligibility'),
      target: 'eligibility',
      maxTimes: 2,
      otherwise: 'review',
    },
    review: {
      kind: 'task',
      title: text('Riesame e chiusura', 'Review and closure'),
      assignee: { service: 'social', role: 'operator' },
      form: {
        fields: [
          {
            key: 'outcome',
            type: 'select',
            required: true,
            label: text('Esito', 'Outcome'),
            options: [
              option('job', 'Lavoro', 'Job'),
              option('housing', 'Casa', 'Housing'),
              option('autonomy', 'Autonomia', 'Autonomy'),
              option('lost_benefit', 'Decadenza dal beneficio', 'Lost benefit'),
              option('moved_away', 'Trasferimento', 'Moved away'),
            ],
          },
          { key: 'notes', type: 'textarea', label: text('Note', 'Notes') },
        ],
      },
      next: 'closure',
    },
    closure: {
      kind: 'decision',
      title: text('Chiusura per esito', 'Close by outcome'),
      rules: [
        { when: { field: 'review.outcome', op: 'eq', value: 'job' }, next: 'closed_job' },
        { when: { field: 'review.outcome', op: 'eq', value: 'housing' }, next: 'closed_housing' },
        { when: { field: 'review.outcome', op: 'eq', value: 'autonomy' }, next: 'closed_autonomy' },
        { when: { field: 'review.outcome', op: 'eq', value: 'lost_benefit' }, next: 'closed_lost_benefit' },
        { when: { field: 'review.outcome', op: 'eq', value: 'moved_away' }, next: 'closed_moved_away' },
      ],
      // Unreachable while outcome is required; if the form ever changes, ask again rather than close with a guessed outcome.
      otherwise: 'review',
    },
    closed_job: { kind: 'end', title: text('Chiuso: lavoro', 'Closed: job'), outcome: 'job' },
    closed_housing: { kind: 'end', title: text('Chiuso: casa', 'Closed: housing'), outcome: 'housing' },
    closed_autonomy: { kind: 'end', title: text('Chiuso: autonomia', 'Closed: autonomy'), outcome: 'autonomy' },
    closed_lost_benefit: { kind: 'end', title: text('Chiuso: decadenza', 'Closed: lost benefit'), outcome: 'lost_benefit' },
    closed_moved_away: { kind: 'end', title: text('Chiuso: trasferimento', 'Closed: moved away'), outcome: 'moved_away' },
  },
  outcomes: ['job', 'housing', 'autonomy', 'lost_benefit', 'moved_away'],
};
