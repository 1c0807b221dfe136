/**
 * Languages of the console: Italian (default) and English, through react-i18next. Each screen
 * group has its own namespace (`common`, `operator`, `supervisor`, `coordinator`) in
 * `locales/<language>/<namespace>.json`; terms follow the glossary of the domain document. The
 * chosen language is remembered in localStorage.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import commonEn from '../locales/en/common.json';
import commonIt from '../locales/it/common.json';
import coordinatorEn from '../locales/en/coordinator.json';
import coordinatorIt from '../locales/it/coordinator.json';
import loopEn from '../locales/en/loop.json';
import loopIt from '../locales/it/loop.json';
import operatorEn from '../locales/en/operator.json';
import operatorIt from '../locales/it/operator.json';
import pathwayIssuesEn from '../locales/en/pathway-issues.json';
import pathwayIssuesIt from '../locales/it/pathway-issues.json';
import supervisorEn from '../locales/en/supervisor.json';
import supervisorIt from '../locales/it/supervisor.json';

export const languages = ['it', 'en'] as const;
export type Language = (typeof languages)[number];
const storageKey = 'reticulate.language';

function initialLanguage(): Language {
  const stored = window.localStorage.getItem(storageKey);
  return stored === 'en' || stored === 'it' ? stored : 'it';
}

void i18next.use(initReactI18next).init({
  lng: initialLanguage(),
  fallbackLng: 'it',
  supportedLngs: languages,
  defaultNS: 'common',
  ns: ['common', 'operator', 'supervisor', 'coordinator', 'loop', 'pathwayIssues'],
  resources: {
    it: { common: commonIt, operator: operatorIt, supervisor: supervisorIt, coordinator: coordinatorIt, loop: loopIt, pathwayIssues: pathwayIssuesIt },
    en: { common: commonEn, operator: operatorEn, supervisor: supervisorEn, coordinator: coordinatorEn, loop: loopEn, pathwayIssues: pathwayIssuesEn },
  },
  interpolation: { escapeValue: false },
  returnNull: false,
  // A key missing in the current language is reported on the console (the browser tests fail on it).
  saveMissing: true,
  missingKeyHandler: (languages, namespace, key) => console.warn(`[i18n] missing ${languages.join(',')} ${namespace}:${key}`),
});

/** Switches the language everywhere and remembers it; `<html lang>` follows. */
export function setLanguage(language: Language): void {
  window.localStorage.setItem(storageKey, language);
  void i18next.changeLanguage(language);
}

i18next.on('languageChanged', (language) => {
  document.documentElement.lang = language;
});
document.documentElement.lang = i18next.language;

export default i18next;
